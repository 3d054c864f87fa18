import DragomanCore
import Foundation

/// One message of the Wyoming protocol (Home Assistant's protocol for voice services): a JSON
/// header line naming the `type`, an optional JSON `data` object and an optional binary payload
/// (audio). On the wire: the header, a newline, then `data_length` bytes of JSON data (merged
/// into the header's `data`) and `payload_length` bytes of payload.
public struct WyomingEvent: Sendable, Equatable {
    /// `transcribe`, `audio-start`, `audio-chunk`, `audio-stop`, `transcript`, `synthesize`,
    /// `describe`, `info`, `error`, …
    public var type: String
    public var data: [String: JSONValue]
    public var payload: [UInt8]

    public init(type: String, data: [String: JSONValue] = [:], payload: [UInt8] = []) {
        self.type = type
        self.data = data
        self.payload = payload
    }

    /// The protocol version written in headers, as the Python reference library does.
    static let version = "1.5.0"

    private struct Header: Codable {
        var type: String
        var data: [String: JSONValue]?
        var version: String?
        var dataLength: Int?
        var payloadLength: Int?

        enum CodingKeys: String, CodingKey {
            case type, data, version
            case dataLength = "data_length"
            case payloadLength = "payload_length"
        }
    }

    /// The event as bytes on the wire. The data goes in its own section, as the reference writes
    /// it; JSON escapes newlines in strings, so the header stays one line.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        let dataBytes = data.isEmpty ? [] : Array((try? encoder.encode(data)) ?? Data())
        let header = Header(
            type: type, version: Self.version, dataLength: dataBytes.isEmpty ? nil : dataBytes.count,
            payloadLength: payload.isEmpty ? nil : payload.count)
        let headerBytes = Array((try? encoder.encode(header)) ?? Data())
        return headerBytes + [UInt8(ascii: "\n")] + dataBytes + payload
    }

    /// Reads events out of a byte stream that arrives in pieces.
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []
        private var pending: (header: Header, start: Int)?

        public init() {}

        public mutating func append(_ bytes: some Sequence<UInt8>) {
            buffer.append(contentsOf: bytes)
        }

        /// The next complete event, or `nil` until more bytes arrive.
        /// - Throws: `WyomingError.malformedEvent` for a header that is not JSON.
        public mutating func next() throws(WyomingError) -> WyomingEvent? {
            if pending == nil {
                guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                let line = buffer[..<newline]
                do {
                    pending = (try JSONDecoder().decode(Header.self, from: Data(line)), newline + 1)
                } catch {
                    throw .malformedEvent(String(decoding: line.prefix(200), as: UTF8.self))
                }
            }
            guard let (header, start) = pending else { return nil }
            let dataLength = max(0, header.dataLength ?? 0)
            let payloadLength = max(0, header.payloadLength ?? 0)
            guard buffer.count >= start + dataLength + payloadLength else { return nil }
            var data = header.data ?? [:]
            if dataLength > 0 {
                let section = buffer[start..<start + dataLength]
                guard let extra = try? JSONDecoder().decode([String: JSONValue].self, from: Data(section)) else {
                    throw .malformedEvent(String(decoding: section.prefix(200), as: UTF8.self))
                }
                data.merge(extra) { _, new in new }
            }
            let payload = Array(buffer[start + dataLength..<start + dataLength + payloadLength])
            buffer.removeFirst(start + dataLength + payloadLength)
            pending = nil
            return WyomingEvent(type: header.type, data: data, payload: payload)
        }
    }
}

extension WyomingEvent {
    /// `audio-start`, `audio-chunk` and `audio-stop` describe their audio the same way.
    static func audioFormat(rate: Int) -> [String: JSONValue] {
        ["rate": .int(rate), "width": .int(2), "channels": .int(1)]
    }

    /// Asks a service what it offers; it answers `info`. Also the health check of a sidecar.
    static let describe = WyomingEvent(type: "describe")

    /// The text of a `transcript` or the message of an `error`.
    var text: String? {
        if case .string(let text) = data["text"] { return text }
        return nil
    }

    /// The `rate` of an audio event.
    var sampleRate: Int? {
        if case .int(let rate) = data["rate"] { return rate }
        return nil
    }
}
