import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import Testing

/// The replaced design's current listener app plays `translatedAudio` URLs, one file a unit
/// (frontend-client-apps/listener-app/src/services/S3AudioPlayer.ts, commit
/// f267b0f961698957fa01423db5ccde8680a0b8f6). A live voice has no units and no last chunk: it is
/// cut into pieces of about `LegacyListenerFrames.livePiece`, which listeners of one language share.
@Suite("Clients of the replaced design: a live voice in the current listener app")
struct LegacyLiveVoiceTests {
    @Test("the current listener app hears the floor in pieces of two seconds, each a file of its own that its listeners share")
    func floorInPieces() async throws {
        try await TestServer.run(configure: LegacyClientTests.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            // As the app connects (LegacyClientTests.listenerApp), for the speaker's own voice.
            var apps: [WebSocketTestClient] = []
            for _ in 0..<2 {
                let app = server.connect(["token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "sessionId": sessionId, "targetLanguage": "original"])
                try await app.expect("sessionJoined")
                apps.append(app)
            }
            let (app, second) = (apps[0], apps[1])
            // 5 s of the speaker's voice in 20 ms frames, each frame's samples telling its number.
            let frames = (0..<250).map { frame in [Int16](repeating: Int16(frame), count: 320) }
            for frame in frames { speaker.send(binary: PCM.littleEndianBytes(frame)) }

            var pieces: [[JSONValue]] = [[], []]
            for (index, client) in [app, second].enumerated() {
                while pieces[index].count < 2 {
                    let message = try await LegacyClientTests.nextJSON(client)
                    if message["type"]?.stringValue == "translatedAudio" { pieces[index].append(message) }
                }
            }
            var heard: [Int16] = []
            for (first, other) in zip(pieces[0], pieces[1]) {
                #expect(first["duration"]?.doubleValue == 2)
                #expect(first["url"] == other["url"], "listeners of one language share a piece")
                let url = try #require(URL(string: first["url"]?.stringValue ?? ""))
                let fetched = try await LegacyClientTests.fetch(server, url.path, origin: "")
                #expect(fetched.status == 200)
                heard += try WAVFile(bytes: fetched.bytes).samples
            }
            #expect(pieces[0][0]["url"] != pieces[0][1]["url"], "each piece is a file of its own")
            #expect(heard == Array(frames.prefix(200).joined()), "the pieces are the voice, in order, nothing left out")
            await app.disconnect()
            await second.disconnect()
            await speaker.disconnect()
        }
    }
}
