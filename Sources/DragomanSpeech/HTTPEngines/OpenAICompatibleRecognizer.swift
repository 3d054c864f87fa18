import Foundation

/// Speech recognition by `POST /audio/transcriptions` of an OpenAI-compatible API: the segment is
/// sent as a WAV file when it ends. With a `partialInterval`, the segment heard so far is also
/// sent after every `partialInterval` seconds of new audio, one request at a time
/// (``WindowRedecoder``), and each hypothesis feeds the pipeline's committer as Whisper's over
/// Wyoming do; each is a request, which a paid API charges for.
public struct OpenAICompatibleRecognizer: SpeechRecognizer {
    public let api: OpenAICompatibleAPI
    /// `whisper-1`, or what the server calls its model.
    public let model: String
    /// Seconds of new audio between transcriptions of the segment under way; 0 for final only.
    public let partialInterval: Double

    public init(api: OpenAICompatibleAPI, model: String, partialInterval: Double = 0) {
        self.api = api
        self.model = model
        self.partialInterval = partialInterval
    }

    public var supportedLanguages: Set<String> { api.languages }

    public func makeSession(language: String) throws -> any RecognitionSession {
        Session(recognizer: self, language: try api.check(language))
    }

    /// The segment, collected until it ends.
    actor Session: RecognitionSession {
        let recognizer: OpenAICompatibleRecognizer
        let language: String
        private var samples: [Int16] = []
        private let redecoder: WindowRedecoder?

        init(recognizer: OpenAICompatibleRecognizer, language: String) {
            self.recognizer = recognizer
            self.language = language
            redecoder =
                recognizer.partialInterval > 0
                ? WindowRedecoder(interval: recognizer.partialInterval) { try await recognizer.transcribe($0, language: language) } : nil
        }

        nonisolated var unitWordLimit: Int? { redecoder == nil ? nil : WindowRedecoder.unitWords }

        func feed(_ samples: [Int16]) async -> String? {
            self.samples += samples
            return await redecoder?.hear(samples)
        }

        func finish() async throws -> String {
            await redecoder?.finish()
            return try await recognizer.transcribe(samples, language: language)
        }
    }

    func transcribe(_ samples: [Int16], language: String) async throws -> String {
        let boundary = "dragoman-\(UUID().uuidString)"
        var form = MultipartForm(boundary: boundary)
        form.add("model", model)
        form.add("language", language)
        form.add("response_format", "json")
        form.add("file", filename: "segment.wav", contentType: "audio/wav", WAVFile(sampleRate: PCM.speechSampleRate, samples: samples).encoded())
        let response = try await api.client.send(
            .POST, api.url("audio/transcriptions"),
            headers: api.authorization + [(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")], body: form.finished())
        return try api.client.text(in: try await EngineHTTPClient.json(of: response), at: ["text"])
    }
}

/// A `multipart/form-data` body.
struct MultipartForm {
    let boundary: String
    private var bytes: [UInt8] = []

    init(boundary: String) {
        self.boundary = boundary
    }

    mutating func add(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func add(_ name: String, filename: String, contentType: String, _ content: [UInt8]) {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        bytes += content + Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
}
