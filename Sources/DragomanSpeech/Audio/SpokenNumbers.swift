/// Cardinal numbers in one form for word error rates: "two thousand", "2,000" and "2000" are the
/// same words to a listener, but a recognizer that writes digits (Whisper) would otherwise be
/// charged two errors for them against a reference that spells them out. As the usual English
/// normalizers for comparing recognizers do, spelled numbers become digits.
enum SpokenNumbers {
    private static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19,
    ]
    private static let tens: [String: Int] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    private static let scales: [String: Int] = ["hundred": 100, "thousand": 1000, "million": 1_000_000]

    /// `words` (lowercased, split) with each run of number words replaced by its value in digits;
    /// "a" before a scale counts as one ("a hundred years" is "100 years").
    static func folded(_ words: [String]) -> [String] {
        var result: [String] = []
        var number = Reading()
        for (index, word) in words.enumerated() {
            let next = index + 1 < words.count ? words[index + 1] : nil
            if word == "a", !number.isReading, let next, scales[next] != nil {
                number.add(unit: 1)
            } else if let value = units[word] {
                if !number.accepts(unit: value) { result += number.flush() }
                number.add(unit: value)
            } else if let value = tens[word] {
                if !number.acceptsTens { result += number.flush() }
                number.add(unit: value)
            } else if let scale = scales[word], number.isReading || scale == 100 {
                number.scale(by: scale)
            } else if word == "and", number.isReading, let next, units[next] != nil || tens[next] != nil, number.current == 0 || number.current % 100 == 0 {
                continue  // "one hundred and five"
            } else {
                result += number.flush()
                result.append(word)
            }
        }
        return result + number.flush()
    }

    /// A number being read: `total` of the scales passed (thousands, millions) plus `current`.
    private struct Reading {
        var total = 0
        var current = 0
        var isReading = false

        /// Whether a unit word continues this number: after a scale ("hundred four"), or a digit
        /// after a ten ("twenty four"); "four four" is two numbers.
        func accepts(unit: Int) -> Bool {
            guard isReading else { return true }
            let lastTwo = current % 100
            return lastTwo == 0 || (lastTwo >= 20 && lastTwo % 10 == 0 && unit < 10)
        }

        var acceptsTens: Bool { !isReading || current % 100 == 0 }

        mutating func add(unit: Int) {
            current += unit
            isReading = true
        }

        mutating func scale(by scale: Int) {
            if scale == 100 {
                current = max(current, 1) * 100
            } else {
                total += max(current, 1) * scale
                current = 0
            }
            isReading = true
        }

        mutating func flush() -> [String] {
            defer { self = Reading() }
            return isReading ? [String(total + current)] : []
        }
    }
}
