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
    var talks: String = "council-budget,keynote-open-tech,harbor-tour"

    @Option(help: "Comma-separated target languages, one listener each.")
    var languages: String = "es,fr,ca"

    @Option(
        name: .customLong("repeat"),
        help: "Times each talk is spoken back to back (8 makes a 10-minute talk of a 76 s one), to see whether speech falls behind over a long talk.")
    var repetitions: Int = 1

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

        /// The talk spoken `count` times back to back, each time `length` seconds after the last.
        func repeated(_ count: Int, every length: Double) -> Talk {
            Talk(
                sentences: (0..<count).flatMap { time in
                    sentences.map { sentence in
                        var later = sentence
                        later.words = sentence.words.map { Word(word: $0.word, end: $0.end + Double(time) * length) }
                        return later
                    }
                })
        }

        /// The sentence each spoken word belongs to, in the order of the words.
        var sentenceOfWord: [Int] {
            sentences.enumerated().flatMap { number, sentence in Array(repeating: number, count: sentence.words.count) }
        }

        func reference(_ language: String) -> String? {
            switch language {
            case "es": sentences.map(\.es).joined(separator: " ")
            case "fr": sentences.map(\.fr).joined(separator: " ")
            default: nil
            }
        }
    }

    package init() {}

    package func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be 1 or more.") }
    }

    package func run() async throws {
        let server = try await serverOptions.start()
        defer { server.stop() }
        let targets = languages.split(separator: ",").map(String.init)
        let translator = ApertiumTranslator(catalog: try ApertiumModeCatalog())
        var rows: [String] = []
        for name in talks.split(separator: ",").map(String.init) {
            let once = try WAVFile(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name).wav"))
            let wav = WAVFile(sampleRate: once.sampleRate, samples: Array(repeating: once.samples, count: repetitions).flatMap { $0 })
            let talk = try JSONDecoder().decode(Talk.self, from: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name).json")))
                .repeated(repetitions, every: once.duration)
            let cpuBefore = server.cpuSeconds
            let recording = try await RecordedTalk.record(wav, targets: targets, server: server, tail: tail)
            // The tail's last captions and speech are the talk's work too.
            print(String(format: "%@: server CPU per second of audio %.3f", name, (server.cpuSeconds - cpuBefore) / wav.duration))
            let tracks = recording.listeners.map(SimultaneousTrack.init)
            var pairs: [String: [String: String]] = [:]
            for (language, track) in zip(targets, tracks) {
                guard let reference = talk.reference(language) else { continue }
                pairs[language] = ["hypothesis": track.finals.joined(separator: " "), "reference": reference]
                var whole: [String] = []
                for sentence in Self.recognizedSentences(track, talk: talk) {
                    whole.append(try await translator.translate(sentence, from: "en", to: language))
                }
                pairs["\(language) whole"] = ["hypothesis": whole.joined(separator: " "), "reference": reference]
            }
            let scores = try score(pairs)
            for (language, track) in zip(targets, tracks) {
                rows.append(row(name, language, track, talk: talk, start: recording.start, score: scores[language], whole: scores["\(language) whole"]))
                print(rows.last!)
                if repetitions > 1 { print(drift(name, language, track, talk: talk, start: recording.start)) }
            }
        }
        print(
            """

            Lags in seconds from the moment each word was spoken, median / p90 / worst, over the words the recognizer got right.

            | talk | language | words (right / spoken) | source WER | provisional caption | final caption | speech starts | speech never came (words) | normalized erasure | chrF | BLEU | chrF, whole sentences |
            |---|---|---|---|---|---|---|---|---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
    }

    /// How late one word the recognizer got right reached a listener, in seconds from when it was spoken.
    struct WordLag {
        /// Its place among the talk's spoken words.
        var word: Int
        var provisional: Double
        var final: Double
        /// Nil when its unit's speech never came.
        var speech: Double?
    }

    private func lags(_ track: SimultaneousTrack, talk: Talk, start: Double) -> [WordLag] {
        let spoken = talk.sentences.flatMap(\.words)
        let pairs = SimultaneousTrack.alignment(reference: spoken.map { WordErrorRate.words($0.word).joined() }, recognized: track.recognized)
        return pairs.map { word, place in
            let spokenAt = start + spoken[word].end
            return WordLag(
                word: word, provisional: track.firstShown[place] - spokenAt, final: track.finalAt[place] - spokenAt,
                speech: track.speechStarted(place).map { $0 - spokenAt })
        }
    }

    /// The recognized words of the final captions, put back into the sentences they were spoken
    /// in: a word the recognizer added goes with the word before it.
    static func recognizedSentences(_ track: SimultaneousTrack, talk: Talk) -> [String] {
        let spoken = talk.sentences.flatMap(\.words)
        let sentenceOfWord = talk.sentenceOfWord
        var sentenceOfPlace: [Int: Int] = [:]
        for (word, place) in SimultaneousTrack.alignment(reference: spoken.map { WordErrorRate.words($0.word).joined() }, recognized: track.recognized) {
            sentenceOfPlace[place] = sentenceOfWord[word]
        }
        var sentences: [[String]] = []
        var current = 0
        for (place, word) in track.recognized.enumerated() {
            current = sentenceOfPlace[place] ?? current
            if sentences.count <= current { sentences += Array(repeating: [], count: current + 1 - sentences.count) }
            sentences[current].append(word)
        }
        return sentences.filter { !$0.isEmpty }.map { $0.joined(separator: " ") }
    }

    private func row(
        _ name: String, _ language: String, _ track: SimultaneousTrack, talk: Talk, start: Double, score: [String: Double]?, whole: [String: Double]?
    ) -> String {
        let spoken = talk.sentences.flatMap(\.words)
        let words = lags(track, talk: talk, start: start)
        let speech = words.compactMap(\.speech)
        func summary(_ values: [Double]) -> String {
            let distribution = Distribution(values)
            return String(format: "%.1f / %.1f / %.1f", distribution.median, distribution.percentile(0.9), distribution.largest)
        }
        let sourceErrors = WordErrorRate.rate(reference: spoken.map(\.word).joined(separator: " "), hypothesis: track.recognized.joined(separator: " "))
        let quality =
            score.map { String(format: "%.1f | %.1f", $0["chrf"] ?? .nan, $0["bleu"] ?? .nan) } ?? "– | –"
        let wholeQuality = whole.map { String(format: "%.1f", $0["chrf"] ?? .nan) } ?? "–"
        return String(
            format: "| %@ | %@ | %d / %d | %.1f %% | %@ | %@ | %@ | %d | %.2f | %@ | %@ |", name, language, words.count, spoken.count, sourceErrors * 100,
            summary(words.map(\.provisional)), summary(words.map(\.final)), summary(speech), words.count - speech.count, track.normalizedErasure, quality,
            wholeQuality)
    }

    /// The median speech lag of each time the talk was spoken: steady when speech keeps pace
    /// over a long talk, growing when its backlog does.
    private func drift(_ name: String, _ language: String, _ track: SimultaneousTrack, talk: Talk, start: Double) -> String {
        let perTime = talk.sentences.flatMap(\.words).count / repetitions
        let words = lags(track, talk: talk, start: start)
        let medians = (0..<repetitions).map { time in
            let speech = words.filter { $0.word / perTime == time }.compactMap(\.speech)
            return speech.isEmpty ? "–" : String(format: "%.1f", Distribution(speech).median)
        }
        return "\(name) \(language): speech starts, median of each repetition (s): \(medians.joined(separator: ", "))"
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
