/// An `audioChunk` of the replaced design's speaker app: base64 PCM with the format it declares.
/// The declared fields are optional; one that is given must say PCM s16le mono.
public struct LegacyAudioChunk: Sendable, Equatable {
    public var base64: String
    /// The declared rate; `nil` for the connection's own (`sampleRate=` at connect).
    public var sampleRate: Int?

    public init(base64: String, sampleRate: Int? = nil) {
        self.base64 = base64
        self.sampleRate = sampleRate
    }
}

/// The `command` of a `controlSession` (the replaced design's example speaker clients).
public enum SessionCommand: String, Sendable, Equatable, CaseIterable {
    case pause, resume
}

extension ClientMessage {
    /// Parses the replaced design's own speaker messages (docs/protocol.md, "Clients of the
    /// replaced design").
    static func parseLegacy(_ action: String, _ fields: Fields) throws(ProtocolError) -> ClientMessage {
        switch action {
        case "audioChunk": return .audioChunk(try fields.legacyAudioChunk())
        case "endSession": return .endSession
        default:
            let name = try fields.string("command")
            guard let command = SessionCommand(rawValue: name) else {
                let known = SessionCommand.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                throw ProtocolError(.invalidMessage, "\"command\" must be \(known), not \"\(name)\".", action: action)
            }
            return .controlSession(command)
        }
    }
}

extension Fields {
    /// The speaker app sends `format: "pcm"`, `encoding: "s16le"`, `channels: 1` and
    /// `sampleRate: 16000` with every chunk; anything else is not audio Dragoman can take.
    func legacyAudioChunk() throws(ProtocolError) -> LegacyAudioChunk {
        let base64 = try string("audioData")
        try expect("format", oneOf: ["pcm", "pcm_s16le"])
        try expect("encoding", oneOf: ["s16le", "pcm_s16le"])
        if let channels = object["channels"] {
            guard channels.doubleValue == 1 else {
                throw ProtocolError(.invalidAudioFormat, "Audio must be mono (\"channels\": 1).", action: action)
            }
        }
        guard let rate = object["sampleRate"] else { return LegacyAudioChunk(base64: base64) }
        guard let hertz = rate.doubleValue, hertz == hertz.rounded(), let whole = Int(exactly: hertz) else {
            throw wrongType("sampleRate", "a whole number of Hz")
        }
        return LegacyAudioChunk(base64: base64, sampleRate: whole)
    }

    private func expect(_ name: String, oneOf accepted: Set<String>) throws(ProtocolError) {
        guard let value = object[name] else { return }
        guard let text = value.stringValue, accepted.contains(text.lowercased()) else {
            throw ProtocolError(
                .invalidAudioFormat, "\"\(name)\" must be \(accepted.sorted().map { "\"\($0)\"" }.joined(separator: " or ")).", action: action)
        }
    }
}
