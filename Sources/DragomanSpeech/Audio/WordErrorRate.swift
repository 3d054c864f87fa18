/// Word error rate: how far a transcript is from a reference, as used to compare recognizers.
public enum WordErrorRate {
    /// The words of `text` as compared: lowercased, punctuation removed (an apostrophe inside
    /// a word, as in "o'clock", is kept).
    public static func words(_ text: String) -> [String] {
        let cleaned = text.lowercased().map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " }
        return String(cleaned)
            .split(separator: " ")
            .map { $0.trimmingApostrophes() }
            .filter { !$0.isEmpty }
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
