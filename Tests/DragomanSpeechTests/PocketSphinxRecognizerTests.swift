import DragomanCore
import DragomanSpeech
import Foundation
import Testing

@Suite struct PocketSphinxRecognizerTests {
    static let recognizer = Result { try PocketSphinxRecognizer() }

    /// Runs a fixture the way the server will: segmenter, then one session per segment fed in
    /// 100 ms pieces; prints the word error rate and real-time factor.
    @Test(arguments: Fixture.all)
    func transcribesFixtureSegments(_ fixture: Fixture) async throws {
        let recognizer = try Self.recognizer.get()
        let audio = try fixture.audio()
        var segmenter = VoiceActivitySegmenter()
        var session: (any RecognitionSession)?
        var transcript: [String] = []
        var partials = 0
        var decoding = Duration.zero
        let clock = ContinuousClock()
        for start in stride(from: 0, to: audio.samples.count, by: 1_600) {
            let piece = Array(audio.samples[start..<min(start + 1_600, audio.samples.count)])
            for event in segmenter.process(piece) + (start + 1_600 >= audio.samples.count ? segmenter.finish() : []) {
                switch event {
                case .speechStarted:
                    session = try recognizer.makeSession(language: "en-US")
                case .audio(let samples):
                    let began = clock.now
                    if try await session!.feed(samples) != nil { partials += 1 }
                    decoding += clock.now - began
                case .segmentEnded:
                    let began = clock.now
                    transcript.append(try await session!.finish())
                    decoding += clock.now - began
                    session = nil
                }
            }
        }
        let reference = try fixture.sentences().joined(separator: " ")
        let hypothesis = transcript.joined(separator: " ")
        let wer = WordErrorRate.rate(reference: reference, hypothesis: hypothesis)
        let seconds = Double(audio.samples.count) / 16_000
        let realTimeFactor = decoding.inSeconds / seconds
        print(
            String(
                format: "pocketsphinx %@: WER %.1f %%, real-time factor %.3f, %d partial results",
                fixture.name, wer * 100, realTimeFactor, partials))
        print("  heard: \(hypothesis)")
        #expect(wer < 0.25)
        #expect(partials > 0)
    }

    @Test func rejectsOtherLanguagesAndFinishedSessions() async throws {
        let recognizer = try Self.recognizer.get()
        #expect(recognizer.supportedLanguages == ["en"])
        #expect(throws: PocketSphinxError.unsupportedLanguage("fr")) { try recognizer.makeSession(language: "fr") }
        let session = try recognizer.makeSession(language: "en")
        #expect(try await session.finish() == "")
        await #expect(throws: PocketSphinxError.sessionFinished) { try await session.feed([0, 0]) }
    }

    @Test func reportsAMissingModel() {
        var model = PocketSphinxRecognizer.Model.debianUSEnglish
        model.dictionary = "/nonexistent/cmudict.dict"
        #expect(throws: PocketSphinxError.missingModel(path: "/nonexistent/cmudict.dict")) {
            try PocketSphinxRecognizer(model: model)
        }
    }
}
