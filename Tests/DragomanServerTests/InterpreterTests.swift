import DragomanCore
import DragomanSpeech
import Foundation
import Testing

/// Interpreters: a person's voice replaces the machine's in one language while on the air
/// (docs/protocol.md, "Interpreters"), with real WebSocket clients.
@Suite("Interpreters")
struct InterpreterTests {
    /// Creates an interpreter credential over HTTP and returns its token and id.
    static func invite(_ server: TestServer, _ sessionId: String, language: String = "es", name: String = "Maria") async throws -> (token: String, id: String) {
        let response = try await server.http(
            .POST, "/v1/sessions/\(sessionId)/interpreters", key: server.keys.speaker, json: ["language": .string(language), "name": .string(name)])
        #expect(response.code == 201, "\(response)")
        let json = try #require(response.json)
        return (try #require(json["token"]?.stringValue), try #require(json["interpreterId"]?.stringValue))
    }

    /// An interpreter connected with `token`, and its `interpreterJoined`.
    static func interpreter(_ server: TestServer, _ sessionId: String, token: String, muted: Bool = false) async throws -> (
        client: WebSocketTestClient, joined: Message
    ) {
        var query = ["action": "interpretSession", "sessionId": sessionId, "token": token]
        if muted { query["muted"] = "true" }
        let client = server.connect(query)
        return (client, try await client.expect("interpreterJoined"))
    }

    /// Distinct 20 ms frames, so a listener can tell whose voice and which frame it got.
    static func frames(_ count: Int, voice: Int) -> [[Int16]] {
        (0..<count).map { frame in (0..<320).map { Int16(truncatingIfNeeded: voice * 10_000 + frame * 100 + $0) } }
    }

    /// The PCM of an `audioData`.
    static func samples(_ message: Message) -> [Int16] {
        PCM.samples(fromLittleEndian: Data(base64Encoded: message["audioData"]?.stringValue ?? "") ?? Data())
    }

    /// Sends frames as an interpreter does, then waits until the server has read them all.
    static func send(_ frames: [[Int16]], from client: WebSocketTestClient) async throws {
        for frame in frames { client.send(binary: PCM.littleEndianBytes(frame)) }
        try await client.barrier()
    }

    /// Reads `count` interpreter chunks from a listener, skipping anything else.
    static func interpreterAudio(_ listener: WebSocketTestClient, count: Int) async throws -> [Message] {
        var received: [Message] = []
        while received.count < count {
            received.append(try await listener.waitFor("audioData") { $0["voice"]?.stringValue == "interpreter" }.message)
        }
        return received
    }

    @Test("the owner creates, lists and revokes credentials; each is scoped to its session and language")
    func credentials() async throws {
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let path = "/v1/sessions/\(sessionId)/interpreters"
            let created = try await server.http(.POST, path, key: server.keys.speaker, json: ["language": "es", "name": "  Maria  "])
            #expect(created.code == 201)
            let body = try #require(created.json)
            let token = try #require(body["token"]?.stringValue)
            let id = try #require(body["interpreterId"]?.stringValue)
            #expect(body["name"]?.stringValue == "Maria")
            #expect(body["language"]?.stringValue == "es")
            #expect(body["interpretUrl"]?.stringValue?.hasSuffix("/interpret/\(sessionId)#token=\(token)") == true)

            // Refusals.
            for (json, expected) in [
                (["language": "en", "name": "Self"] as JSONValue, 400),  // the session's own language
                (["language": "xx", "name": "Nobody"], 400),
                (["language": "fr", "name": "   "], 400),
                (["language": "fr", "name": .string(String(repeating: "n", count: 101))], 400),
                (["name": "No language"], 400),
            ] {
                #expect(try await server.http(.POST, path, key: server.keys.speaker, json: json).code == expected, "\(json)")
            }
            #expect(try await server.http(.POST, path, key: server.keys.operator, json: ["language": "fr", "name": "Jean"]).code == 403)
            #expect(try await server.http(.POST, path, json: ["language": "fr", "name": "Jean"]).code == 401)
            #expect(
                try await server.http(.POST, "/v1/sessions/no-such-100/interpreters", key: server.keys.speaker, json: ["language": "fr", "name": "Jean"]).code
                    == 404)

            let listed = try await server.http(.GET, path, key: server.keys.speaker).json?["interpreters"]?.arrayValue ?? []
            #expect(listed.count == 1)
            #expect(listed.first?["interpreterId"]?.stringValue == id)
            #expect(listed.first?["connected"]?.boolValue == false)
            #expect(listed.first?["token"] == nil)

            // A speaker key is no interpreter token, and a token works only for its own session.
            #expect(try await server.upgrade(["action": "interpretSession", "sessionId": sessionId, "token": server.keys.speaker]).code == 401)
            let otherSession = try await server.createSession()
            #expect(try await server.upgrade(["action": "interpretSession", "sessionId": otherSession, "token": token]).code == 403)

            // Revoking closes the open connection and the token stops working.
            let (interpreter, _) = try await Self.interpreter(server, sessionId, token: token)
            let connected = try await server.http(.GET, path, key: server.keys.speaker).json?["interpreters"]?.arrayValue ?? []
            #expect(connected.first?["connected"]?.boolValue == true)
            #expect(connected.first?["onAir"]?.boolValue == true)
            #expect(try await server.http(.DELETE, "\(path)/\(id)", key: server.keys.operator).code == 403)
            #expect(try await server.http(.DELETE, "\(path)/\(id)", key: server.keys.speaker).code == 204)
            #expect(try await interpreter.waitFor("error").message["code"]?.stringValue == "UNAUTHORIZED")
            #expect(try await interpreter.closeCode() == .policyViolation)
            #expect(try await server.http(.DELETE, "\(path)/\(id)", key: server.keys.speaker).code == 404)
            #expect(try await server.upgrade(["action": "interpretSession", "sessionId": sessionId, "token": token]).code == 401)
            #expect(try await server.http(.GET, path, key: server.keys.speaker).json?["interpreters"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("an interpreter's voice reaches its language's listeners in place of the machine's, which speaks again when it leaves")
    func interpreterReplacesTheMachineVoice() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (spanish, joined) = try await server.listener(sessionId, language: "es")
            #expect(joined["voice"]?.stringValue == "machine")
            let opusSpanish = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es", "audioFormat": "opus"])
            try await opusSpanish.expect("sessionJoined")
            let (french, _) = try await server.listener(sessionId, language: "fr")
            let invitation = try await Self.invite(server, sessionId)

            let (interpreter, greeting) = try await Self.interpreter(server, sessionId, token: invitation.token)
            #expect(greeting["targetLanguage"]?.stringValue == "es")
            #expect(greeting["name"]?.stringValue == "Maria")
            #expect(greeting["onAir"]?.boolValue == true)
            #expect(greeting["voice"]?.stringValue == "interpreter")
            for client in [spanish, speaker] {
                let change = try await client.waitFor("voiceChanged").message
                #expect(change["targetLanguage"]?.stringValue == "es")
                #expect(change["voice"]?.stringValue == "interpreter")
                #expect(change["interpreter"]?.stringValue == "Maria")
                #expect(change["interpreterId"]?.stringValue == invitation.id)
            }
            speaker.send(action: "getSessionStatus")
            #expect(try await speaker.waitFor("sessionStatus").message["voices"]?["es"]?.stringValue == "Maria")

            // Every frame the interpreter sends reaches the Spanish listeners, in order, unchanged.
            let voice = Self.frames(15, voice: 1)
            try await Self.send(voice, from: interpreter)
            let received = try await Self.interpreterAudio(spanish, count: voice.count)
            #expect(received.map(Self.samples) == voice)
            let sequences = received.compactMap { $0["sequence"]?.intValue }
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
            #expect(received.allSatisfy { $0["floor"]?.boolValue == false && $0["targetLanguage"]?.stringValue == "es" })
            var opusFrames = 0
            while opusFrames < voice.count {
                guard case .binary(let bytes) = try await opusSpanish.inbox.next(timeout: .seconds(15)) else { continue }
                #expect(OpusAudioFrame(bytes: bytes)?.language.rawValue == "es")
                opusFrames += 1
            }

            // While the interpreter is on the air, a segment gets its Spanish caption but no machine voice.
            try await speaker.speak(ToneFrames.utterance(seconds: 0.5, pause: 1))
            try await spanish.waitFor("transcript") { $0["isFinal"]?.boolValue == true }
            try await french.waitFor("audioData") { $0["voice"]?.stringValue == "machine" }
            #expect(try await spanish.barrier().allSatisfy { $0.type != "audioData" })
            // French listeners never hear the interpreter.
            #expect(try await french.barrier().allSatisfy { $0["voice"]?.stringValue != "interpreter" })

            // It leaves: the machine speaks Spanish again from the next segment.
            interpreter.close()
            let change = try await spanish.waitFor("voiceChanged").message
            #expect(change["voice"]?.stringValue == "machine")
            #expect(change["interpreter"] == .null)
            try await speaker.speak(ToneFrames.utterance(seconds: 0.5, pause: 1))
            let machine = try await spanish.waitFor("audioData").message
            #expect(machine["voice"]?.stringValue == "machine")
        }
    }

    @Test("muting takes an interpreter off the air; unmuting puts it back")
    func muting() async throws {
        try await TestServer.run(configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (_, sessionId, _) = try await server.speaker()
            let (spanish, _) = try await server.listener(sessionId, language: "es")
            let invitation = try await Self.invite(server, sessionId)
            let (interpreter, greeting) = try await Self.interpreter(server, sessionId, token: invitation.token, muted: true)
            #expect(greeting["muted"]?.boolValue == true)
            #expect(greeting["onAir"]?.boolValue == false)
            #expect(greeting["voice"]?.stringValue == "machine")
            // Muted, its voice goes nowhere.
            try await Self.send(Self.frames(5, voice: 1), from: interpreter)
            #expect(try await spanish.barrier().allSatisfy { $0.type != "audioData" && $0.type != "voiceChanged" })

            interpreter.send(action: "unmuteInterpreter")
            #expect(try await interpreter.waitFor("interpreterUnmuted").message["muted"]?.boolValue == false)
            #expect(try await spanish.waitFor("voiceChanged").message["voice"]?.stringValue == "interpreter")
            let voice = Self.frames(5, voice: 2)
            try await Self.send(voice, from: interpreter)
            #expect(try await Self.interpreterAudio(spanish, count: 5).map(Self.samples) == voice)

            interpreter.send(action: "muteInterpreter")
            #expect(try await interpreter.waitFor("interpreterMuted").message["muted"]?.boolValue == true)
            #expect(try await spanish.waitFor("voiceChanged").message["voice"]?.stringValue == "machine")
            try await Self.send(Self.frames(5, voice: 3), from: interpreter)
            #expect(try await spanish.barrier().allSatisfy { $0.type != "audioData" })
        }
    }

    @Test("two interpreters of a language hand over without the listeners reconnecting")
    func handOver() async throws {
        try await TestServer.run(configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (_, sessionId, _) = try await server.speaker()
            let (spanish, _) = try await server.listener(sessionId, language: "es")
            let maria = try await Self.invite(server, sessionId, name: "Maria")
            let pablo = try await Self.invite(server, sessionId, name: "Pablo")
            let (first, _) = try await Self.interpreter(server, sessionId, token: maria.token)
            #expect(try await spanish.waitFor("voiceChanged").message["interpreter"]?.stringValue == "Maria")
            let (second, greeting) = try await Self.interpreter(server, sessionId, token: pablo.token, muted: true)
            #expect(greeting["interpreter"]?.stringValue == "Maria")

            // Maria is on the air; Pablo, muted, warms up unheard.
            let mariaVoice = Self.frames(5, voice: 1)
            try await Self.send(mariaVoice, from: first)
            try await Self.send(Self.frames(5, voice: 2), from: second)
            #expect(try await Self.interpreterAudio(spanish, count: 5).map(Self.samples) == mariaVoice)

            // Pablo unmutes and is on the air at once; Maria, still unmuted, is not heard any more.
            second.send(action: "unmuteInterpreter")
            let change = try await spanish.waitFor("voiceChanged").message
            #expect(change["interpreter"]?.stringValue == "Pablo")
            #expect(try await first.waitFor("voiceChanged").message["interpreter"]?.stringValue == "Pablo")
            let pabloVoice = Self.frames(5, voice: 3)
            try await Self.send(Self.frames(5, voice: 4), from: first)
            try await Self.send(pabloVoice, from: second)
            #expect(try await Self.interpreterAudio(spanish, count: 5).map(Self.samples) == pabloVoice)

            // Maria leaves: Pablo stays on the air, and nobody is told of a change.
            first.close()
            #expect(try await spanish.barrier().allSatisfy { $0.type != "voiceChanged" && $0.type != "audioData" })
            #expect(try await second.barrier().allSatisfy { $0.type != "voiceChanged" })
        }
    }

    @Test("an interpreter may only speak, and hears the speaker's captions")
    func interpreterRole() async throws {
        try await TestServer.run(engines: FakeEngines.transcribing, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId, language: "es")
            let (interpreter, _) = try await Self.interpreter(server, sessionId, token: try await Self.invite(server, sessionId).token)
            for action in ["pauseBroadcast", "getSessionStatus", "changeLanguage"] {
                interpreter.send(action: action, ["targetLanguage": "fr"])
                #expect(try await interpreter.expectError("FORBIDDEN")["action"]?.stringValue == action)
            }
            for (client, action) in [(listener, "muteInterpreter"), (speaker, "unmuteInterpreter")] {
                client.send(action: action)
                #expect(try await client.waitFor("error").message["code"]?.stringValue == "FORBIDDEN")
            }
            interpreter.send(action: "interpretSession")
            try await interpreter.expect("interpreterJoined")

            try await speaker.speak(ToneFrames.utterance(seconds: 0.5, pause: 1))
            let caption = try await interpreter.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            #expect(caption["targetLanguage"]?.stringValue == "en")
            speaker.send(action: "pauseBroadcast")
            try await interpreter.waitFor("broadcastPaused")
        }
    }
}
