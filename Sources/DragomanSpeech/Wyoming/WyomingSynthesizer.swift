/// Speech synthesis by a Wyoming TTS service, typically `wyoming-piper`: the text is sent in one
/// `synthesize` event and the audio streams back chunk by chunk (Piper speaks sentence by
/// sentence, so the first sentence plays while the next is synthesized).
public struct WyomingSynthesizer: SpeechSynthesizer {
    public let endpoint: WyomingEndpoint
    /// The voice the service uses for each BCP-47 language code (`en` → `en_US-joe-medium`).
    public let voices: [String: String]

    public init(endpoint: WyomingEndpoint, voices: [String: String]) {
        self.endpoint = endpoint
        self.voices = voices
    }

    public var supportedLanguages: Set<String> { Set(voices.keys) }

    public func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        guard let voice = voices[language] ?? voices[LanguageTag.primary(language)] else {
            throw WyomingError.unsupportedLanguage(language)
        }
        let connection = try await endpoint.connect()
        connection.send(WyomingEvent(type: "synthesize", data: ["text": .string(text), "voice": .object(["name": .string(voice)])]))
        let (chunks, output) = AsyncThrowingStream.makeStream(of: [Int16].self)
        // One reader: it hands over the sample rate of `audio-start`, then streams the chunks.
        let sampleRate = try await withCheckedThrowingContinuation { (started: CheckedContinuation<Int, any Error>) in
            let reader = Task {
                var started: CheckedContinuation<Int, any Error>? = started
                defer { connection.close() }
                do {
                    for try await event in connection.events {
                        switch event.type {
                        case "audio-start":
                            guard let rate = event.sampleRate, event.data["width"] == .int(2), event.data["channels"] == .int(1) else {
                                throw WyomingError.unsupportedAudio("\(event.data)")
                            }
                            started?.resume(returning: rate)
                            started = nil
                        case "audio-chunk":
                            output.yield(PCM.samples(fromLittleEndian: event.payload))
                        case "audio-stop":
                            guard started == nil else { throw WyomingError.serviceError("no audio for \"\(text)\"") }
                            return output.finish()
                        case "error":
                            throw WyomingError.serviceError(event.text ?? "no message")
                        default:
                            continue
                        }
                    }
                    throw WyomingError.connectionClosed(expecting: "audio-stop")
                } catch {
                    started?.resume(throwing: error)
                    output.finish(throwing: error)
                }
            }
            output.onTermination = { _ in
                reader.cancel()
                connection.cancel()
            }
        }
        return SynthesizedSpeech(sampleRate: sampleRate, chunks: chunks)
    }
}
