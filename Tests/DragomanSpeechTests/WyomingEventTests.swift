import DragomanCore
import Foundation
import Testing

@testable import DragomanSpeech

/// The Wyoming framing: a JSON header line, a data section and a payload, read from pieces.
@Suite struct WyomingEventTests {
    @Test func anEventSurvivesTheWireInPiecesOfAnySize() throws {
        let chunk = WyomingEvent.speechChunk([1, -2, 300, -32_768])
        let transcript = WyomingEvent(type: "transcript", data: ["text": .string("Good\nmorning, \"everyone\"")])
        let stop = WyomingEvent(type: "audio-stop")
        let wire = chunk.encoded() + transcript.encoded() + stop.encoded()
        for pieceSize in [1, 7, wire.count] {
            var decoder = WyomingEvent.Decoder()
            var read: [WyomingEvent] = []
            for start in stride(from: 0, to: wire.count, by: pieceSize) {
                decoder.append(wire[start..<min(start + pieceSize, wire.count)])
                while let event = try decoder.next() { read.append(event) }
            }
            #expect(read == [chunk, transcript, stop], "in pieces of \(pieceSize)")
        }
    }

    @Test func theHeaderIsOneLineThatNamesTheSectionLengths() throws {
        let bytes = WyomingEvent.speechChunk([7, 8]).encoded()
        let newline = try #require(bytes.firstIndex(of: UInt8(ascii: "\n")))
        let header = try JSONDecoder().decode(JSONValue.self, from: Data(bytes[..<newline]))
        #expect(header["type"]?.stringValue == "audio-chunk")
        #expect(header["payload_length"] == .int(4))
        let dataLength = try #require(header["data_length"]?.doubleValue.map(Int.init))
        #expect(bytes.count == newline + 1 + dataLength + 4)
        #expect(Array(bytes.suffix(4)) == [7, 0, 8, 0])
    }

    /// The Python library accepts `data` inline in the header too, and so does Dragoman.
    @Test func dataInTheHeaderIsReadAndMergedWithTheDataSection() throws {
        let section = Array(#"{"b":2}"#.utf8)
        var decoder = WyomingEvent.Decoder()
        decoder.append(Array(#"{"type":"info","data":{"a":1},"data_length":7}"#.utf8) + [UInt8(ascii: "\n")] + section)
        let event = try #require(try decoder.next())
        #expect(event.data == ["a": .int(1), "b": .int(2)])
    }

    @Test func aHeaderThatIsNotJSONIsAnError() {
        var decoder = WyomingEvent.Decoder()
        decoder.append(Array("not json\n".utf8))
        #expect(throws: WyomingError.self) { try decoder.next() }
    }

    @Test func addresses() throws {
        #expect(try WyomingAddress(parsing: "tcp://127.0.0.1:10300") == WyomingAddress(host: "127.0.0.1", port: 10_300))
        #expect(try WyomingAddress(parsing: "tcp://whisper.local:10300/") == WyomingAddress(host: "whisper.local", port: 10_300))
        for bad in ["unix:///run/whisper.sock", "tcp://host", "tcp://:80", "127.0.0.1:10300", "tcp://host:99999"] {
            #expect(throws: WyomingError.self) { try WyomingAddress(parsing: bad) }
        }
    }
}
