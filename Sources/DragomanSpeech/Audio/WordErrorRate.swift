/// Word error rate: how far a transcript is from a reference, as used to compare recognizers.
public enum WordErrorRate {
    /// The words of `text` as compared: lowercased, punctuation removed (an apostrophe inside
    /// a word, as in "o'clock", is kept), and numbers in digits whether spelled out or not
    /// ("two thousand", "2,000"; "4%" is "4 percent"), so that a recognizer that writes digits
    /// is not charged for the form of a number it heard right.
    public static func words(_ text: String) -> [String] {
        let characters = Array(text.lowercased())
        var cleaned = ""
        for (index, character) in characters.enumerated() {
            let between = (index > 0 ? characters[index - 1] : " ", index + 1 < characters.count ? characters[index + 1] : " ")
            switch character {
            case "," where between.0.isNumber && between.1.isNumber: break  // a thousands separator
            case "%": cleaned += " percent "
            case _ where character.isLetter || character.isNumber || character == "'": cleaned.append(character)
            default: cleaned.append(" ")
            }
        }
        let words = cleaned.split(separator: " ").map { $0.trimmingApostrophes() }.filter { !$0.isEmpty }
        return SpokenNumbers.folded(words)
    }

    /// The word-level edit distance (substitutions, insertions, deletions) from `reference`
    /// to `hypothesis`, divided by the number of reference words; 0 is perfect, and it can
    /// exceed 1 when the hypothesis has many extra words.
    public static func rate(reference: String, hypothesis: String) -> Double {
        let expected = words(reference)
        let actual = words(hypothesis)
        guard !expected.isEmpty else { return actual.isEmpty ? 0 : 1 }
        // Levenshtein distance, one row at a time.
        var previous = Array(0...actual.count)
        for (i, word) in expected.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: actual.count)
            for j in actual.indices {
                let substitution = previous[j] + (word == actual[j] ? 0 : 1)
                current[j + 1] = min(substitution, previous[j + 1] + 1, current[j] + 1)
            }
            previous = current
        }
        return Double(previous[actual.count]) / Double(expected.count)
    }
}

extension Substring {
    fileprivate func trimmingApostrophes() -> String {
        String(drop { $0 == "'" }.reversed().drop { $0 == "'" }.reversed())
    }
}
