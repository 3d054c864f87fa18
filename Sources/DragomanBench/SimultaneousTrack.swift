import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation

/// What one listener of `bench simultaneous` saw and heard, word by word of the recognized
/// speech: when each word was first shown (in a partial or final caption), when its final caption
/// came and when the speech of its unit began; and how much shown text was taken back.
struct SimultaneousTrack {
    /// The recognized words of the final captions, in order (`WordErrorRate.words`).
    private(set) var recognized: [String] = []
    /// Per recognized word: when a caption first covered its place, when its final caption came,
    /// and its unit (`segmentId`).
    private(set) var firstShown: [Double] = []
    private(set) var finalAt: [Double] = []
    private var unit: [Int] = []
    /// When each unit's speech began to arrive.
    private var speechStart: [Int: Double] = [:]
    /// The final translations, and the words shown now (finals and the latest partial).
    private(set) var finals: [String] = []
    private var committedShown: [String] = []
    private var shown: [String] = []
    /// Words taken back from the end of what was shown, over the talk.
    private var erased = 0

    init(_ messages: [LiveConnection.Received]) {
        for message in messages {
            switch message.message?.body {
            case .transcript(let caption):
                self.caption(caption, at: message.receivedAt)
            case .audioData(let chunk) where speechStart[chunk.segmentId] == nil:
                speechStart[chunk.segmentId] = message.receivedAt
            default:
                continue
            }
        }
    }

    private mutating func caption(_ caption: Transcript, at time: Double) {
        let segment = caption.segmentId
        let source = WordErrorRate.words(caption.sourceText)
        let text = caption.text
        // A partial's source words follow the final ones: their places are counted from there.
        for place in recognized.count..<(recognized.count + source.count) where place >= firstShown.count {
            firstShown.append(time)
        }
        let isFinal = caption.isFinal
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let now = committedShown + words
        erased += shown.count - zip(shown, now).prefix { $0 == $1 }.count
        shown = now
        guard isFinal else { return }
        committedShown = now
        finals.append(text)
        recognized += source
        finalAt += Array(repeating: time, count: source.count)
        unit += Array(repeating: segment, count: source.count)
    }

    /// When the speech of the unit of recognized word `place` began; `nil` if it never came.
    func speechStarted(_ place: Int) -> Double? { speechStart[unit[place]] }

    /// Words taken back for every word of the final text (normalized erasure).
    var normalizedErasure: Double { committedShown.isEmpty ? .nan : Double(erased) / Double(committedShown.count) }
}

extension SimultaneousTrack {
    /// Pairs (reference index, recognized index) of the words a minimum edit alignment matches.
    static func alignment(reference: [String], recognized: [String]) -> [(Int, Int)] {
        let (rows, columns) = (reference.count, recognized.count)
        var cost = Array(repeating: Array(repeating: 0, count: columns + 1), count: rows + 1)
        for row in 0...rows { cost[row][0] = row }
        for column in 0...columns { cost[0][column] = column }
        for row in stride(from: 1, through: rows, by: 1) {
            for column in stride(from: 1, through: columns, by: 1) {
                let substitution = cost[row - 1][column - 1] + (reference[row - 1] == recognized[column - 1] ? 0 : 1)
                cost[row][column] = min(substitution, cost[row - 1][column] + 1, cost[row][column - 1] + 1)
            }
        }
        var pairs: [(Int, Int)] = []
        var (row, column) = (rows, columns)
        while row > 0, column > 0 {
            let same = reference[row - 1] == recognized[column - 1]
            if cost[row][column] == cost[row - 1][column - 1] + (same ? 0 : 1) {
                if same { pairs.append((row - 1, column - 1)) }
                row -= 1
                column -= 1
            } else if cost[row][column] == cost[row - 1][column] + 1 {
                row -= 1
            } else {
                column -= 1
            }
        }
        return pairs.reversed()
    }
}
