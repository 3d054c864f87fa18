import DragomanSpeech
import Foundation
import Testing

/// The whole embedded tier in a row, as the server's pipeline will run it.
@Suite struct EndToEndTests {
    /// In-process eSpeak NG audio is the audio the `espeak-ng` command makes for the same
    /// text and voice: the callback path loses, reorders and alters nothing. (pocketsphinx
    /// cannot check it instead: it recognizes eSpeak's voice very poorly, CLI output included.)
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/espeak-ng")))
    func synthesisMatchesTheEspeakCommand() async throws {
        let text = "Good morning and welcome to the museum."
        var audio: [Int16] = []
        for try await chunk in try EspeakSynthesizer().synthesize(text, language: "en").chunks { audio += chunk }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-espeak-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: file) }
        let command = Process()
        command.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
        command.arguments = ["-v", "en-us", "-w", file.path, text]
        try command.run()
        command.waitUntilExit()
        let reference = try WAVFile(contentsOf: file)
        print("eSpeak NG in process: \(audio.count) samples; espeak-ng command: \(reference.samples.count)")
        #expect(reference.sampleRate == 22_050)
        #expect(audio == reference.samples)
    }

    /// A fixture through segmenter, recognizer, translator (to French, through Spanish) and
    /// synthesizer; prints what a listener would get and how long after each segment ended.
    @Test func fixtureToFrenchSpeech() async throws {
        let audio = try Fixture(name: "museum-tour").audio()
        let recognizer = try PocketSphinxRecognizer()
        let translator = ApertiumTranslator(catalog: try ApertiumModeCatalog())
        let synthesizer = try EspeakSynthesizer()
        var segmenter = VoiceActivitySegmenter()
        var session: (any RecognitionSession)?
        var captions: [String] = []
        let clock = ContinuousClock()
        for event in segmenter.process(audio.samples) + segmenter.finish() {
            switch event {
            case .speechStarted: session = try recognizer.makeSession(language: "en")
            case .audio(let samples): _ = try await session!.feed(samples)
            case .segmentEnded:
                let ended = clock.now
                let english = try await session!.finish()
                let recognized = clock.now
                let french = try await translator.translate(english, from: "en", to: "fr")
                let translated = clock.now
                var firstAudio: Duration?
                for try await _ in try synthesizer.synthesize(french, language: "fr").chunks where firstAudio == nil {
                    firstAudio = clock.now - ended
                }
                print("  \(english) → \(french) [final \(recognized - ended), MT \(translated - recognized), first audio \(firstAudio!)]")
                captions.append(french)
            }
        }
        #expect(captions.count == 5)
        #expect(captions.allSatisfy { !$0.isEmpty })
    }
}
