import DragomanSpeech
import Foundation
import Testing

/// eSpeak NG is one engine per process: these tests run one at a time.
@Suite(.serialized) struct EspeakSynthesizerTests {
    static let synthesizer = Result { try EspeakSynthesizer() }

    @Test func supportsTheTranslationTargets() throws {
        let synthesizer = try Self.synthesizer.get()
        print("eSpeak NG languages:", synthesizer.supportedLanguages.sorted())
        #expect(synthesizer.supportedLanguages.isSuperset(of: ["en", "es", "fr", "ca", "eo", "pt", "it", "ro"]))
        #expect(synthesizer.sampleRate == 22_050)
        #expect(throws: EspeakError.unsupportedLanguage("xx")) { try synthesizer.synthesize("Hola.", language: "xx") }
    }

    @Test(arguments: [
        ("es", "Buenos días y bienvenidos al museo. Hoy caminaremos juntos por tres salas."),
        ("fr", "Bonjour et bienvenue au musée. Aujourd'hui nous visiterons trois salles ensemble."),
    ])
    func speaksAudibly(language: String, text: String) async throws {
        let synthesizer = try Self.synthesizer.get()
        let sentence = try await Self.timedSynthesis(of: text, in: language, by: synthesizer)
        let seconds = Double(sentence.audio.count) / 22_050
        print(
            "eSpeak NG \(language): \(String(format: "%.2f", seconds)) s of audio in \(sentence.chunks) chunks;",
            "first chunk after \(sentence.firstChunk), all after \(sentence.total)")
        #expect(seconds > 2 && seconds < 15)
        #expect(PCM.dBFS(sentence.audio) > -35)  // speech, not silence
        #expect(sentence.chunks > 1)

        // Speech is streamed as it is made: a long text arrives as many chunks, the first long
        // before the last (how long before is for the pipeline benchmark, not a test).
        let speech = try await Self.timedSynthesis(of: String(repeating: text + " ", count: 40), in: language, by: synthesizer)
        print("eSpeak NG \(language), 40 times as long: first chunk after \(speech.firstChunk), all after \(speech.total)")
        #expect(speech.chunks > 40)
    }

    static func timedSynthesis(of text: String, in language: String, by synthesizer: EspeakSynthesizer) async throws
        -> (audio: [Int16], chunks: Int, firstChunk: Duration, total: Duration)
    {
        let clock = ContinuousClock()
        let began = clock.now
        let speech = try synthesizer.synthesize(text, language: language)
        #expect(speech.sampleRate == 22_050)
        var firstChunk: Duration?
        var audio: [Int16] = []
        var chunks = 0
        for try await chunk in speech.chunks {
            if firstChunk == nil { firstChunk = clock.now - began }
            audio += chunk
            chunks += 1
        }
        return (audio, chunks, firstChunk ?? .zero, clock.now - began)
    }

    @Test func stoppingEarlyCancelsTheSynthesis() async throws {
        let synthesizer = try Self.synthesizer.get()
        let long = String(repeating: "Esta es una frase bastante larga para sintetizar. ", count: 30)
        for try await _ in try synthesizer.synthesize(long, language: "es").chunks { break }
        // The engine is free again: the next text is spoken, and whole.
        var samples = 0
        for try await chunk in try synthesizer.synthesize("Hola.", language: "es").chunks { samples += chunk.count }
        #expect(samples > 22_050 / 4)
    }

    @Test func concurrentLanguagesAreSerializedSafely() async throws {
        let synthesizer = try Self.synthesizer.get()
        let lengths = try await withThrowingTaskGroup(of: Int.self) { group in
            for language in ["es", "fr", "ca", "it"] {
                group.addTask {
                    var count = 0
                    for try await chunk in try synthesizer.synthesize("Uno, dos, tres.", language: language).chunks {
                        count += chunk.count
                    }
                    return count
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(lengths.count == 4 && lengths.allSatisfy { $0 > 11_025 })
    }
}
