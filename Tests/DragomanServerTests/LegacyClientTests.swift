import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation
import NIOHTTP1
import Testing

/// The replaced design's own apps and example clients against a real server, frame by frame as
/// their source sends and reads them (docs/protocol.md, "Clients of the replaced design"). The
/// source is github.com/thunder45/low-latency-translate at commit
/// f267b0f961698957fa01423db5ccde8680a0b8f6 unless a test names an older one.
@Suite("Clients of the replaced design")
struct LegacyClientTests {
    static func generous(_ settings: inout ServerConfiguration) {
        settings.audioChunksPerSecond = 1_000
    }

    /// What the listener app's `ListenerService.initialize` does
    /// (frontend-client-apps/listener-app/src/services/ListenerService.ts): `WebSocketClient.connect`
    /// with `sessionId` and `targetLanguage` (and the signed-in `token`, which `buildUrl` puts
    /// first when there is one), then `joinSession` sent as a message.
    static func listenerApp(_ server: TestServer, _ sessionId: String, language: String = "es", token: String? = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        async throws -> (client: WebSocketTestClient, joined: Message)
    {
        var query = ["sessionId": sessionId, "targetLanguage": language]
        query["token"] = token
        let listener = server.connect(query)
        let joined = try await listener.expect("sessionJoined")
        listener.send(json: ["action": "joinSession", "sessionId": .string(sessionId), "targetLanguage": .string(language)])
        #expect(try await listener.expect("sessionJoined")["targetLanguage"]?.stringValue == language)
        return (listener, joined)
    }

    /// What the speaker app does (frontend-client-apps/shared/utils/SessionCreationOrchestrator.ts,
    /// `createSessionViaHttp`): the session is created over HTTP, then the WebSocket connects with
    /// the credential and the `sessionId` only.
    static func speakerApp(_ server: TestServer) async throws -> (client: WebSocketTestClient, sessionId: String) {
        let sessionId = try await server.createSession()
        let speaker = server.connect(["token": server.keys.speaker, "sessionId": sessionId])
        let first = try await speaker.expect("connectionRefreshComplete")
        #expect(first["role"]?.stringValue == "speaker")
        #expect(first.sessionId == sessionId)
        return (speaker, sessionId)
    }

    /// `SpeakerService.sendPCMChunk` (frontend-client-apps/speaker-app/src/services/SpeakerService.ts):
    /// every AudioWorklet buffer (4096 samples at 16 kHz) as one `audioChunk`.
    static func audioChunk(_ samples: ArraySlice<Int16>, sessionId: String, format: JSONValue = "pcm", channels: JSONValue = 1) -> JSONValue {
        [
            "action": "audioChunk", "sessionId": .string(sessionId), "audioData": .string(Data(PCM.littleEndianBytes(samples)).base64EncodedString()),
            "timestamp": 1_764_745_200_000, "format": format, "sampleRate": 16_000, "channels": channels, "encoding": "s16le",
        ]
    }

    /// The next text frame as JSON: the design's own messages are not Dragoman's `ServerMessage`s.
    static func nextJSON(_ client: WebSocketTestClient) async throws -> JSONValue {
        while true {
            if case .text(let text) = try await client.inbox.next(timeout: .seconds(20)) {
                return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            }
        }
    }

    @Test("the listener app joins without an action, repeats joinSession, and hears of pauses and the end")
    func listenerAppJoins() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId) = try await Self.speakerApp(server)
            let (listener, joined) = try await Self.listenerApp(server, sessionId)
            #expect(joined.sessionId == sessionId)
            #expect(joined["targetLanguage"]?.stringValue == "es")
            // `WebSocketClient.startHeartbeat` and `ListenerService.switchLanguage`.
            listener.send(json: ["action": "heartbeat", "timestamp": 1_764_745_200_000])
            try await listener.expect("heartbeatAck")
            listener.send(json: ["action": "changeLanguage", "targetLanguage": "fr", "timestamp": 1_764_745_200_000])
            #expect(try await listener.expect("languageChanged")["targetLanguage"]?.stringValue == "fr")
            // The app (signed in) reads broadcastPaused; `sessionPaused` is for the example clients' dialect.
            speaker.send(json: ["action": "pauseBroadcast", "timestamp": 1_764_745_200_000])
            try await listener.expect("broadcastPaused")
            #expect(try await listener.barrier().isEmpty)
            // "End session" (`SpeakerService.endSession`): listeners are told at once.
            speaker.send(json: ["action": "endSession", "sessionId": .string(sessionId), "reason": "Speaker ended session"])
            #expect(try await listener.waitFor("sessionEnded").message["reason"]?.stringValue == "endedBySpeaker")
            #expect(try await listener.closeCode() == .normalClosure)
            try await speaker.waitFor("sessionEnded")
            #expect(try await server.status(of: sessionId) == "ended")
        }
    }

    @Test("the speaker app streams audioChunk messages, pauses, polls its status and is heard")
    func speakerAppStreams() async throws {
        try await TestServer.run(engines: FakeEngines.speaking, configure: Self.generous) { server in
            let (speaker, sessionId) = try await Self.speakerApp(server)
            let (listener, _) = try await Self.listenerApp(server, sessionId)
            let samples = ToneFrames.utterance(seconds: 0.6, pause: 1.2)
            for start in stride(from: 0, to: samples.count, by: 4_096) {
                let chunk = Self.audioChunk(samples[start..<min(start + 4_096, samples.count)], sessionId: sessionId)
                // About 11 KB: over the 4 KB of a control message, as the issue measured.
                #expect(String(decoding: try JSONEncoder().encode(chunk), as: UTF8.self).utf8.count > 10_000 || start + 4_096 > samples.count)
                speaker.send(json: chunk)
            }
            #expect(try await speaker.barrier().allSatisfy { $0.type != "error" })
            let caption = try await listener.waitFor("transcript") { $0["isFinal"]?.boolValue == true }.message
            #expect(caption["text"]?.stringValue == "[es] Good evening.")
            // `startStatusPolling` and `pause`.
            speaker.send(json: ["action": "getSessionStatus"])
            #expect(try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message["listenerCount"]?.intValue == 1)
            speaker.send(json: ["action": "pauseBroadcast", "timestamp": 1_764_745_200_000])
            try await speaker.waitFor("broadcastPaused")
            #expect(try await server.status(of: sessionId) == "paused")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test("an older speaker app's 2 s chunks of 64 KB are taken; a chunk that is not PCM s16le mono is refused")
    func audioChunkSizesAndFormats() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, sessionId) = try await Self.speakerApp(server)
            let twoSeconds = ArraySlice([Int16](repeating: 100, count: 32_000))
            speaker.send(json: Self.audioChunk(twoSeconds, sessionId: sessionId))
            #expect(try await speaker.barrier().isEmpty)
            // Dragoman's own sendAudio keeps its 32 KB limit.
            speaker.send(json: ["action": "sendAudio", "audioData": .string(Data(PCM.littleEndianBytes(twoSeconds)).base64EncodedString())])
            try await speaker.expectError("PAYLOAD_TOO_LARGE")
            let short = twoSeconds.prefix(4_096)
            // The format this design's speaker app sent before it streamed PCM.
            speaker.send(json: Self.audioChunk(short, sessionId: sessionId, format: "webm-opus"))
            #expect(try await speaker.expectError("INVALID_AUDIO_FORMAT")["action"]?.stringValue == "audioChunk")
            speaker.send(json: Self.audioChunk(short, sessionId: sessionId, channels: 2))
            try await speaker.expectError("INVALID_AUDIO_FORMAT")
            var wrongRate = Self.audioChunk(short, sessionId: sessionId)
            if case .object(var fields) = wrongRate {
                fields["sampleRate"] = 96_000
                wrongRate = .object(fields)
            }
            speaker.send(json: wrongRate)
            try await speaker.expectError("INVALID_AUDIO_FORMAT")
            speaker.send(json: ["action": "audioChunk", "sessionId": .string(sessionId), "audioData": "not base64!"])
            try await speaker.expectError("INVALID_AUDIO_FORMAT")
            // A listener may not send it: any text frame of a listener is a control message, so a
            // chunk over the control limit is refused before it is parsed, a small one by role.
            let (listener, _) = try await server.listener(sessionId)
            listener.send(json: Self.audioChunk(short, sessionId: sessionId))
            try await listener.expectError("PAYLOAD_TOO_LARGE")
            listener.send(json: Self.audioChunk(short.prefix(256), sessionId: sessionId))
            try await listener.expectError("FORBIDDEN")
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    /// The older listener app (frontend-client-apps/listener-app/src/services/ListenerService.ts
    /// and shared/audio/AudioPlayback.ts at commit 5a710fb) connects without a token and plays
    /// `audio` messages as PCM at 16 kHz, whatever `sampleRate` says.
    @Test("the older listener app gets speech as audio PCM at 16 kHz, and sessionPaused/sessionResumed")
    func olderListenerAppGetsAudio() async throws {
        let engines = SpeechEngines(recognizer: FakeEngines.Recognizer(hears: "Good evening."), translator: FakeEngines.Translator(), synthesizer: Tone22k())
        try await TestServer.run(engines: engines, configure: Self.generous) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (older, _) = try await Self.listenerApp(server, sessionId, token: nil)
            let (current, _) = try await server.listener(sessionId)
            try await speaker.speak(ToneFrames.utterance(seconds: 0.6, pause: 1.2))

            // Dragoman's own listener gets the segment as audioData at the synthesizer's rate, and no audio message.
            var native = 0
            var segment = 0
            while true {
                let message = try await current.next(timeout: .seconds(20))
                #expect(message.type != "audio")
                guard message.type == "audioData" else { continue }
                #expect(message["sampleRate"]?.intValue == 22_050)
                native += PCM.samples(fromLittleEndian: try #require(Data(base64Encoded: message["audioData"]?.stringValue ?? ""))).count
                segment = message["segmentId"]?.intValue ?? 0
                if message["isLastChunk"]?.boolValue == true { break }
            }
            #expect(native > 0)
            // The older app gets the same speech at 16 kHz.
            let expected = native * 16_000 / 22_050
            var samples: [Int16] = []
            var sequenceNumbers: [Int] = []
            while samples.count < expected - 2 {
                let message = try await Self.nextJSON(older)
                #expect(message["type"]?.stringValue != "audioData", "the older app got Dragoman's audioData")
                guard message["type"]?.stringValue == "audio", message["chunkId"]?.stringValue?.hasPrefix("\(segment)-") == true else { continue }
                #expect(message["format"]?.stringValue == "pcm")
                #expect(message["sampleRate"]?.intValue == 16_000)
                #expect(message["channels"]?.intValue == 1)
                #expect(message["targetLanguage"]?.stringValue == "es")
                sequenceNumbers.append(message["sequenceNumber"]?.intValue ?? 0)
                samples += PCM.samples(fromLittleEndian: try #require(Data(base64Encoded: message["audioData"]?.stringValue ?? "")))
            }
            #expect(sequenceNumbers == sequenceNumbers.sorted() && Set(sequenceNumbers).count == sequenceNumbers.count)
            #expect(abs(samples.count - expected) <= 2, "\(samples.count) samples for \(native) at 22 050 Hz")
            #expect(PCM.dBFS(samples) > -25, "the resampled tone is silent: \(PCM.dBFS(samples)) dBFS")

            speaker.send(action: "pauseBroadcast")
            while try await Self.nextJSON(older)["type"]?.stringValue != "broadcastPaused" {}
            let paused = try await Self.nextJSON(older)
            #expect(paused == ["type": "sessionPaused", "sessionId": .string(sessionId), "timestamp": paused["timestamp"] ?? .null])
            speaker.send(action: "resumeBroadcast")
            while try await Self.nextJSON(older)["type"]?.stringValue != "broadcastResumed" {}
            #expect(try await Self.nextJSON(older)["type"]?.stringValue == "sessionResumed")
            try await current.waitFor("broadcastResumed")
            #expect(try await current.barrier().allSatisfy { $0.type != "sessionResumed" })
            await older.disconnect()
            await current.disconnect()
            await speaker.disconnect()
        }
    }

    /// The current listener app (ListenerService.ts and S3AudioPlayer.ts): signed in, it plays
    /// `translatedAudio` by `fetch`ing its `url` from its own origin and playing the file in an
    /// `<audio>` element.
    @Test("the current listener app gets translatedAudio, whose URL serves the unit as WAV until it expires")
    func currentListenerAppGetsUnitURLs() async throws {
        let clock = ManualClock()
        let configure: (inout ServerConfiguration) -> Void = {
            Self.generous(&$0)
            $0.allowedOrigins = "https://listen.example"
        }
        try await TestServer.run(engines: FakeEngines.speaking, configure: configure, clock: clock) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (app, _) = try await Self.listenerApp(server, sessionId)
            let (second, _) = try await Self.listenerApp(server, sessionId)
            try await speaker.speak(ToneFrames.utterance(seconds: 0.6, pause: 1.2))

            var units: [JSONValue] = []
            for client in [app, second] {
                while true {
                    let message = try await Self.nextJSON(client)
                    #expect(message["type"]?.stringValue != "audioData", "the app got audioData as well")
                    if message["type"]?.stringValue == "translatedAudio" {
                        units.append(message)
                        break
                    }
                }
            }
            let unit = units[0]
            #expect(unit["sessionId"]?.stringValue == sessionId)
            #expect(unit["targetLanguage"]?.stringValue == "es")
            #expect(unit["transcript"]?.stringValue == "[es] Good evening.")
            #expect(unit["sequenceNumber"]?.intValue == 1)
            #expect(unit["duration"]?.doubleValue == 0.1)
            // Listeners of one language share the file.
            #expect(units[1]["url"] == unit["url"])
            let url = try #require(URL(string: unit["url"]?.stringValue ?? ""))
            #expect(url.absoluteString.hasPrefix("http://127.0.0.1:\(server.port)/v1/sessions/\(sessionId)/audio/"))

            let fetched = try await Self.fetch(server, url.path, origin: "https://listen.example")
            #expect(fetched.status == 200)
            #expect(fetched.headers["Content-Type"].first == "audio/wav")
            #expect(fetched.headers["Cache-Control"].first?.contains("max-age=600") == true)
            #expect(fetched.headers["Access-Control-Allow-Origin"].first == "https://listen.example")
            let wav = try WAVFile(bytes: fetched.bytes)
            #expect(wav.sampleRate == 16_000)
            #expect(wav.samples.count == 1_600)
            // Another site may not read it; under another session, or once expired, it is gone.
            #expect(try await Self.fetch(server, url.path, origin: "https://elsewhere.example").headers["Access-Control-Allow-Origin"].isEmpty)
            let other = try await server.createSession()
            #expect(try await Self.fetch(server, url.path.replacingOccurrences(of: sessionId, with: other), origin: "").status == 410)
            clock.advance(by: 601)
            #expect(try await Self.fetch(server, url.path, origin: "").status == 410)
            await app.disconnect()
            await second.disconnect()
            await speaker.disconnect()
        }
    }

    /// A GET as the app's `fetch` makes it, with its page's `Origin`.
    static func fetch(_ server: TestServer, _ path: String, origin: String) async throws -> (status: Int, headers: HTTPHeaders, bytes: [UInt8]) {
        try await HTTPTestClient.withResponse(port: server.port, method: .GET, path: path, headers: origin.isEmpty ? [] : [("Origin", origin)]) { response in
            let head = try await response.head()
            var bytes: [UInt8] = []
            while let chunk = try await response.nextBytes(timeout: .seconds(15)) { bytes += chunk }
            return (Int(head.status.code), head.headers, bytes)
        }
    }

    /// `SpeakerService.setupEventHandlers` shows `audioQualityWarning` by its `issue` and `value`;
    /// the thresholds are those of audio-transcription/audio_quality/analyzers.
    @Test("the speaker app is told of clipping, silence and noise, each at most once a minute; Dragoman's own speakers are not")
    func speakerAppHearsOfAudioQuality() async throws {
        try await TestServer.run(configure: Self.generous) { server in
            let (speaker, sessionId) = try await Self.speakerApp(server)
            func send(_ samples: [Int16]) {
                for start in stride(from: 0, to: samples.count, by: 4_096) {
                    speaker.send(json: Self.audioChunk(samples[start..<min(start + 4_096, samples.count)], sessionId: sessionId))
                }
            }
            func warnings() async throws -> [JSONValue] {
                speaker.send(action: "heartbeat")
                var found: [JSONValue] = []
                while true {
                    let message = try await Self.nextJSON(speaker)
                    if message["type"]?.stringValue == "heartbeatAck" { return found }
                    #expect(message["type"]?.stringValue == "audioQualityWarning", "\(message)")
                    found.append(message)
                }
            }
            // Full scale: every sample clips. Twice, and told once.
            send([Int16](repeating: .max, count: 8_192))
            let clipping = try await warnings()
            #expect(clipping.map { $0["issue"]?.stringValue } == ["clipping"])
            #expect(clipping.first?["value"]?.doubleValue == 100)
            #expect(clipping.first?["sessionId"]?.stringValue == sessionId)
            #expect(clipping.first?["message"]?.stringValue?.contains("reduce your microphone volume") == true)
            send([Int16](repeating: .max, count: 4_096))
            #expect(try await warnings().isEmpty)
            // Six seconds of digital silence: told once 5 s have passed.
            send([Int16](repeating: 0, count: 96_000))
            let silence = try await warnings()
            #expect(silence.map { $0["issue"]?.stringValue } == ["silence"])
            #expect((silence.first?["value"]?.doubleValue ?? 0) >= 5)
            // Seven seconds of steady noise: no speech stands out of it.
            send((0..<112_000).map { _ in Int16.random(in: -3_000...3_000) })
            let noise = try await warnings()
            #expect(noise.map { $0["issue"]?.stringValue } == ["snr_low"])
            #expect((noise.first?["value"]?.doubleValue ?? 99) < 20)

            // A speaker that connected with an action gets none.
            let (native, _, _) = try await server.speaker()
            native.send(binary: PCM.littleEndianBytes([Int16](repeating: .max, count: 8_192)))
            #expect(try await native.barrier().isEmpty)
            await native.disconnect()
            await speaker.disconnect()
        }
    }

    /// `SessionHttpService.createSession` (frontend-client-apps/shared/services/SessionHttpService.ts):
    /// from the app's own site, `POST {apiBaseUrl}/sessions` with `{sourceLanguage, qualityTier}`,
    /// a bearer token and JSON, which a browser asks leave for first (a CORS preflight).
    @Test("the speaker app's cross-site session API calls pass CORS for allowedOrigins, preflight included")
    func speakerAppCreatesOverHTTPFromItsSite() async throws {
        try await TestServer.run(configure: { $0.allowedOrigins = "https://speak.example" }) { server in
            let preflight = try await server.http(
                .OPTIONS, "/v1/sessions",
                headers: [
                    ("Origin", "https://speak.example"), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "authorization,content-type"),
                ])
            #expect(preflight.code == 204)
            #expect(preflight.headers["Access-Control-Allow-Origin"].first == "https://speak.example")
            #expect(preflight.headers["Access-Control-Allow-Methods"].first?.contains("POST") == true)
            #expect(preflight.headers["Access-Control-Allow-Headers"].first?.lowercased().contains("authorization") == true)
            let created = try await server.http(
                .POST, "/v1/sessions", key: server.keys.speaker, headers: [("Origin", "https://speak.example")],
                json: ["sourceLanguage": "en", "qualityTier": "standard"])
            #expect(created.code == 201)
            #expect(created.headers["Access-Control-Allow-Origin"].first == "https://speak.example")
            #expect(created.json?["sessionId"]?.stringValue != nil)
            // An error can be read too, so the app shows why.
            let refused = try await server.http(
                .POST, "/v1/sessions", key: "not-a-key", headers: [("Origin", "https://speak.example")], json: ["sourceLanguage": "en"])
            #expect(refused.code == 401)
            #expect(refused.headers["Access-Control-Allow-Origin"].first == "https://speak.example")
            // Another site, and the pages outside /v1, get none.
            let other = try await server.http(
                .OPTIONS, "/v1/sessions", headers: [("Origin", "https://elsewhere.example"), ("Access-Control-Request-Method", "POST")])
            #expect(other.headers["Access-Control-Allow-Origin"].isEmpty)
            #expect(other.code != 204)
            let page = try await server.http(.GET, "/healthz", headers: [("Origin", "https://speak.example")])
            #expect(page.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }

    /// session-management/examples/python-client/speaker_client.py and its JavaScript twin:
    /// `pause`/`resume` are `controlSession` with a `command`; the apps' `useConnectionRefresh`
    /// (frontend-client-apps/shared/hooks/useConnectionRefresh.ts) sends `refreshConnection` on the
    /// open connection and waits for `connectionRefreshComplete`.
    @Test("the example speaker's controlSession pauses and resumes, the example listener hears sessionPaused; in-band refreshConnection is answered")
    func exampleSpeakerControls() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker(extra: ["qualityTier": "standard"])
            let (listener, _) = try await server.listener(sessionId)
            // session-management/examples/python-client/listener_client.py, `connect`: these three only.
            let example = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            try await example.expect("sessionJoined")
            try await speaker.waitFor("sessionStatus") { $0["listenerCount"]?.intValue == 2 }
            speaker.send(json: ["action": "controlSession", "sessionId": .string(sessionId), "command": "pause"])
            try await speaker.expect("broadcastPaused")
            try await listener.expect("broadcastPaused")
            try await example.expect("broadcastPaused")
            var told = try await Self.nextJSON(example)
            #expect(told == ["type": "sessionPaused", "sessionId": .string(sessionId), "timestamp": told["timestamp"] ?? .null])
            #expect(try await server.status(of: sessionId) == "paused")
            speaker.send(json: ["action": "controlSession", "sessionId": .string(sessionId), "command": "resume"])
            try await speaker.expect("broadcastResumed")
            // Dragoman's own listener (it names `audioFormat`) got no sessionPaused: resumed comes next.
            try await listener.expect("broadcastResumed")
            try await example.expect("broadcastResumed")
            told = try await Self.nextJSON(example)
            #expect(told["type"]?.stringValue == "sessionResumed")
            #expect(try await server.status(of: sessionId) == "active")
            speaker.send(json: ["action": "controlSession", "sessionId": .string(sessionId), "command": "rewind"])
            #expect(try await speaker.expectError("INVALID_MESSAGE")["action"]?.stringValue == "controlSession")
            listener.send(json: ["action": "controlSession", "command": "pause"])
            try await listener.expectError("FORBIDDEN")

            speaker.send(json: ["action": "refreshConnection"])
            let refreshed = try await speaker.expect("connectionRefreshComplete")
            #expect(refreshed["role"]?.stringValue == "speaker")
            #expect(refreshed["status"]?.stringValue == "active")
            listener.send(json: ["action": "changeLanguage", "targetLanguage": "fr"])
            try await listener.waitFor("languageChanged")
            listener.send(json: ["action": "refreshConnection"])
            let listening = try await listener.waitFor("connectionRefreshComplete").message
            #expect(listening["role"]?.stringValue == "listener")
            #expect(listening["targetLanguage"]?.stringValue == "fr")
            await example.disconnect()
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test("a connect without an action that cannot be read is refused with why, and 1008 only for a credential")
    func refusals() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId) = try await Self.speakerApp(server)
            // Neither a listener nor a speaker: the design's server asked for targetLanguage.
            let neither = server.connect(["sessionId": sessionId])
            let unread = try await neither.expectError("INVALID_MESSAGE")
            #expect(unread["message"]?.stringValue?.contains("targetLanguage") == true)
            #expect(try await neither.closeCode() == .normalClosure)
            let noSession = server.connect(["targetLanguage": "es"])
            #expect(try await noSession.expectError("INVALID_MESSAGE")["message"]?.stringValue?.contains("sessionId") == true)
            #expect(try await noSession.closeCode() == .normalClosure)
            // A language the session does not have.
            let german = server.connect(["sessionId": sessionId, "targetLanguage": "de"])
            try await german.expectError("UNSUPPORTED_LANGUAGE")
            #expect(try await german.closeCode() == .normalClosure)
            // Refusals HTTP can say are said on the upgrade, as that design's $connect did.
            #expect(try await server.upgrade(["sessionId": "lost-lamb-999", "targetLanguage": "es"]).code == 404)
            #expect(try await server.upgrade(["sessionId": sessionId, "token": "not-a-key"]).code == 401)
            // Dragoman's own clients still get 1008.
            let native = server.connect(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "de"])
            try await native.expectError("UNSUPPORTED_LANGUAGE")
            #expect(try await native.closeCode() == .policyViolation)
            await speaker.disconnect()
        }
    }
}

/// One second of a 440 Hz tone at 22 050 Hz (espeak-ng's rate) for any text, so a test sees the
/// speech resampled for clients that play only 16 kHz.
struct Tone22k: SpeechSynthesizer {
    var supportedLanguages: Set<String> { ["es", "fr"] }
    func synthesize(_ text: String, language: String) async throws -> SynthesizedSpeech {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [Int16].self)
        let tone = (0..<22_050).map { Int16(4_000 * sin(2 * Double.pi * 440 * Double($0) / 22_050)) }
        for start in stride(from: 0, to: tone.count, by: 4_410) { continuation.yield(Array(tone[start..<min(start + 4_410, tone.count)])) }
        continuation.finish()
        return SynthesizedSpeech(sampleRate: 22_050, chunks: stream)
    }
}
