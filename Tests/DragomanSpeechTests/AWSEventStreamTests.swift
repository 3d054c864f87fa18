import DragomanCore
import Foundation
import Testing

@testable import DragomanSpeech

/// The event-stream codec against AWS's published vectors (`Tests/Fixtures/aws-event-stream`).
@Suite struct AWSEventStreamTests {
    /// A `decoded/positive` vector: the message its `encoded` twin holds.
    struct Vector: Decodable {
        struct Header: Decodable {
            var name: String
            var type: UInt8
            var value: JSONValue
        }

        var totalLength: Int
        var headersLength: Int
        var preludeCrc: Int32
        var headers: [Header]
        /// Base64.
        var payload: String
        var messageCrc: Int32
    }

    struct UnreadableVector: Error {}

    static let directory = Fixture.directory.appendingPathComponent("aws-event-stream")

    static func names(_ kind: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("encoded/\(kind)").path)) ?? []).sorted()
    }

    static func contents(_ path: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(path))
    }

    static func base64(_ text: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else { throw UnreadableVector() }
        return Array(data)
    }

    /// A header of a vector as the codec's type.
    static func header(_ header: Vector.Header) throws -> AWSEventStreamMessage.Header {
        let value: AWSEventStreamHeaderValue
        switch (header.type, header.value) {
        case (0, .bool(let flag)), (1, .bool(let flag)): value = .bool(flag)
        case (2, .int(let number)): value = .byte(Int8(number))
        case (3, .int(let number)): value = .int16(Int16(number))
        case (4, .int(let number)): value = .int32(Int32(number))
        case (5, .int(let number)): value = .int64(Int64(number))
        case (6, .string(let text)): value = .bytes(try base64(text))
        case (7, .string(let text)): value = .string(String(decoding: try base64(text), as: UTF8.self))
        case (8, .int(let number)): value = .timestamp(Int64(number))
        case (9, .string(let text)): value = .uuid(try base64(text))
        default: throw UnreadableVector()
        }
        return AWSEventStreamMessage.Header(header.name, value)
    }

    @Test(arguments: names("positive"))
    func readsAndWritesAWSVectors(_ name: String) throws {
        let bytes = Array(try Self.contents("encoded/positive/\(name)"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let vector = try decoder.decode(Vector.self, from: try Self.contents("decoded/positive/\(name)"))
        let expected = AWSEventStreamMessage(headers: try vector.headers.map(Self.header), payload: try Self.base64(vector.payload))

        #expect(try AWSEventStreamMessage(decoding: bytes) == expected)
        #expect(expected.encoded == bytes)
        #expect(bytes.count == vector.totalLength)
        #expect(bytes[4..<8].elementsEqual(UInt32(vector.headersLength).bigEndianBytes))
        #expect(CRC32.checksum(bytes[0..<8]) == UInt32(bitPattern: vector.preludeCrc))
        #expect(CRC32.checksum(bytes.dropLast(4)) == UInt32(bitPattern: vector.messageCrc))
    }

    @Test(arguments: names("negative"))
    func rejectsAWSCorruptedVectors(_ name: String) throws {
        let bytes = Array(try Self.contents("encoded/negative/\(name)"))
        let expected: AWSEventStreamMessage.FormatError
        switch String(decoding: try Self.contents("decoded/negative/\(name)"), as: UTF8.self) {
        case "Prelude checksum mismatch": expected = .preludeChecksumMismatch
        case "Message checksum mismatch": expected = .messageChecksumMismatch
        case let other:
            Issue.record("unknown expectation \(other)")
            return
        }
        #expect(throws: expected) { try AWSEventStreamMessage(decoding: bytes) }
    }

    @Test func crc32IsIEEE() {
        // The check value of CRC-32/ISO-HDLC, the CRC of zlib and Ethernet.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("56789".utf8), continuing: CRC32.checksum(Array("1234".utf8))) == 0xCBF4_3926)
    }

    @Test func everyCorruptedByteIsRejected() throws {
        let bytes = Array(try Self.contents("encoded/positive/all_headers"))
        for index in bytes.indices {
            var corrupted = bytes
            corrupted[index] ^= 0x10
            #expect(throws: AWSEventStreamMessage.FormatError.self, "byte \(index)") { try AWSEventStreamMessage(decoding: corrupted) }
        }
        #expect(throws: AWSEventStreamMessage.FormatError.truncated) { try AWSEventStreamMessage(decoding: Array(bytes.prefix(15))) }
        #expect(throws: AWSEventStreamMessage.FormatError.lengthMismatch(declared: bytes.count, received: bytes.count - 1)) {
            try AWSEventStreamMessage(decoding: Array(bytes.dropLast()))
        }
    }

    @Test func anAudioEventIsWhatTranscribeExpects() throws {
        let message = try AWSEventStreamMessage(decoding: AWSEventStreamMessage.audioEvent([0x10, 0x00, 0xF0, 0xFF]).encoded)
        #expect(message[header: ":message-type"] == .string("event"))
        #expect(message[header: ":event-type"] == .string("AudioEvent"))
        #expect(message[header: ":content-type"] == .string("application/octet-stream"))
        #expect(message.payload == [0x10, 0x00, 0xF0, 0xFF])
    }
}
