import ArgumentParser
import DragomanCore
import DragomanSpeech
import Foundation

package struct BenchSimultaneous: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "simultaneous",
        abstract: "How far behind the speaker listeners read and hear a continuous talk, how much of what they read is taken back, and its quality.",
        discussion: """
            Starts `dragoman serve` in a child process, streams each continuous-speech fixture (Tests/Fixtures/continuous) \
            to it in real time as a speaker, with one listener per target language, and measures at the listeners, for \
            every word of the talk the recognizer got right: when it was first shown (provisional), when its final \
            caption came (committed) and when the speech of its unit began, each from the moment the word was spoken \
            (the fixture's word times). Normalized erasure is the words taken back from the end of what a listener was \
            shown, for every word of the final text. Source WER is the word error rate of the committed source text \
            against the fixture's words (normalized as `bench pipeline` does). chrF and BLEU of the final captions against the fixture's \
            hand-written translations come from scripts/score-translation.py (sacrebleu).
            """)

    @Option(help: "Folder of NAME.wav + NAME.json continuous-speech fixtures.")
    var fixtures: String = "Tests/Fixtures/continuous"

    @Option(help: "Comma-separated fixture names.")
    var talks: String = "council-budget,keynote-open-tech"

    @Option(help: "Comma-separated target languages, one listener each.")
    var languages: String = "es,fr,ca"

    @OptionGroup var serverOptions: ServerOptions

    @Option(help: "Seconds to keep listening after a talk was streamed, for the last captions and speech.")
    var tail: Double = 15

    @Option(help: "A Python with sacrebleu, for chrF and BLEU.")
    var python: String = ".build-python-tests/venv/bin/python"

    /// A fixture's JSON: its sentences, their reference translations and word times.
    struct Talk: Decodable {
        struct Word: Decodable {
            var word: String
            var end: Double
        }
        struct Sentence: Decodable {
            var es: String
            var fr: String
            var words: [Word]
        }
        var sentences: [Sentence]

        func reference(_ language: String) -> String? {
            switch language {
            case "es": sentences.map(\.es).joined(separator: " ")
            case "fr": sentences.map(\.fr).joined(separator: " ")
            default: nil
            }
        }
    }

    package init() {}

    package func run() async throws {
        let server = try await serverOptions.start()
        defer { server.stop() }
        let targets = languages.split(separator: ",").map(String.init)
        var rows: [String] = []
        for name in talks.split(separator: ",").map(String.init) {
            let wav = try WAVFile(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name).wav"))
            let talk = try JSONDecoder().decode(Talk.self, from: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name).json")))
            let recording = try await RecordedTalk.record(wav, targets: targets, server: server, tail: tail)
            let tracks = recording.listeners.map(SimultaneousTrack.init)
            var pairs: [String: [String: String]] = [:]
            for (language, track) in zip(targets, tracks) {
                if let reference = talk.reference(language) { pairs[language] = ["hypothesis": track.finals.joined(separator: " "), "reference": reference] }
            }
            let scores = try score(pairs)
            for (language, track) in zip(targets, tracks) {
                rows.append(row(name, language, track, talk: talk, start: recording.start, score: scores[language]))
                print(rows.last!)
            }
        }
        print(
            """

            Lags in seconds from the moment each word was spoken, median / p90 / worst, over the words the recognizer got right.

            | talk | language | words (right / spoken) | source WER | provisional caption | final caption | speech starts | speech never came (words) | normalized erasure | chrF | BLEU |
            |---|---|---|---|---|---|---|---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
    }

    private func row(_ name: String, _ language: String, _ track: SimultaneousTrack, talk: Talk, start: Double, score: [String: Double]?) -> String {
        let spoken = talk.sentences.flatMap(\.words)
        let pairs = SimultaneousTrack.alignment(reference: spoken.map { WordErrorRate.words($0.word).joined() }, recognized: track.recognized)
        var provisional: [Double] = []
        var final: [Double] = []
        var speech: [Double] = []
        for (word, place) in pairs {
            let spokenAt = start + spoken[word].end
            provisional.append(track.firstShown[place] - spokenAt)
            final.append(track.finalAt[place] - spokenAt)
            if let heard = track.speechStarted(place) { speech.append(heard - spokenAt) }
        }
        func lags(_ values: [Double]) -> String {
            let distribution = Distribution(values)
            return String(format: "%.1f / %.1f / %.1f", distribution.median, distribution.percentile(0.9), distribution.largest)
        }
        let sourceErrors = WordErrorRate.rate(reference: spoken.map(\.word).joined(separator: " "), hypothesis: track.recognized.joined(separator: " "))
        let quality = score.map { String(format: "%.1f | %.1f", $0["chrf"] ?? .nan, $0["bleu"] ?? .nan) } ?? "– | –"
        return String(
            format: "| %@ | %@ | %d / %d | %.1f %% | %@ | %@ | %@ | %d | %.2f | %@ |", name, language, pairs.count, spoken.count, sourceErrors * 100,
            lags(provisional), lags(final),
            lags(speech), pairs.count - speech.count, track.normalizedErasure, quality)
    }

    /// chrF and BLEU per language, from scripts/score-translation.py.
    private func score(_ pairs: [String: [String: String]]) throws -> [String: [String: Double]] {
        guard !pairs.isEmpty else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/score-translation.py"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(pairs))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("scripts/score-translation.py failed (\(python) needs sacrebleu)") }
        return try JSONDecoder().decode([String: [String: Double]].self, from: result)
    }
}
