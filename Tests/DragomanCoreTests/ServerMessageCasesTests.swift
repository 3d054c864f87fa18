import DragomanCore
import Foundation
import Testing

/// One message of every type, with the keys the protocol gives it besides `type`, `sessionId` and
/// `timestamp`.
private let examples: [(ServerMessage.Body, Set<String>)] = {
    let en = LanguageCode("en")!
    let es = LanguageCode("es")!
    let state = BroadcastState(isActive: true, isPaused: false, isMuted: false, volume: 0.75, lastStateChange: 1_700_000_000)
    let notice = BroadcastNotice(broadcastState: state)
    let stream = StreamPosition(epoch: "e1", sequence: 4, recovered: true)
    let maria = VoiceOnAir(voice: .interpreter, interpreter: "Maria", interpreterId: "int_1")
    let voiceKeys: Set<String> = ["voice", "interpreter", "interpreterId"]
    return [
        (
            .sessionCreated(
                SessionCreated(
                    title: "Talk", sourceLanguage: en, qualityTier: "standard", status: .active, broadcastState: state, joinUrl: "http://x/s/a-b-100",
                    availableLanguages: [es])),
            ["title", "sourceLanguage", "qualityTier", "status", "broadcastState", "joinUrl", "availableLanguages"]
        ),
        (
            .sessionJoined(
                SessionJoined(
                    targetLanguage: es, sourceLanguage: en, title: "Talk", status: .active, broadcastState: state, stream: stream, voice: maria)),
            Set(["targetLanguage", "sourceLanguage", "title", "status", "broadcastState", "epoch", "sequence", "recovered"]).union(voiceKeys)
        ),
        (.connectionRefreshComplete(ConnectionRefreshComplete(role: .speaker, status: .paused, broadcastState: state)), ["role", "status", "broadcastState"]),
        (
            .connectionRefreshComplete(
                ConnectionRefreshComplete(
                    role: .listener, status: .active, broadcastState: state, targetLanguage: es, stream: StreamPosition(epoch: "e1", sequence: 0),
                    voice: VoiceOnAir(voice: .machine))),
            Set(["role", "status", "broadcastState", "targetLanguage", "epoch", "sequence"]).union(voiceKeys)
        ),
        (
            .interpreterJoined(
                InterpreterJoined(
                    interpreterId: "int_1", name: "Maria", targetLanguage: es, sourceLanguage: en, title: "Talk", status: .active, broadcastState: state,
                    muted: true, onAir: false, voice: .machine, interpreter: nil)),
            ["interpreterId", "name", "targetLanguage", "sourceLanguage", "title", "status", "broadcastState", "muted", "onAir", "voice", "interpreter"]
        ),
        (
            .transcript(
                Transcript(
                    targetLanguage: es, text: "Hola", sourceText: "Hello", isFinal: true, segmentId: 3, sequence: 9, startTime: 1.5, endTime: 2.25,
                    publishedAt: 1_700_000_000_123)),
            ["targetLanguage", "text", "sourceText", "isFinal", "segmentId", "sequence", "startTime", "endTime", "publishedAt"]
        ),
        (
            .audioData(
                AudioData(
                    audioData: "AAA=", sampleRate: 16000, targetLanguage: en, segmentId: 3, sequence: 10, chunkIndex: 0, isLastChunk: false,
                    publishedAt: 1_700_000_000_456, voice: .floor)),
            [
                "audioData", "format", "sampleRate", "targetLanguage", "segmentId", "sequence", "chunkIndex", "isLastChunk", "publishedAt", "floor",
                "voice",
            ]
        ),
        (.audioSkipped(AudioSkipped(skippedChunks: 3, message: "Skipped.")), ["skippedChunks", "message"]),
        (
            .sessionStatus(
                SessionStatusReport(distribution: [es: 2], sessionDuration: 5, broadcastState: state, updateReason: .periodic, voices: [es: "Maria"])),
            ["listenerCount", "languageDistribution", "sessionDuration", "broadcastState", "updateReason", "voices"]
        ),
        (.broadcastPaused(notice), ["broadcastState"]),
        (.broadcastResumed(notice), ["broadcastState"]),
        (.broadcastMuted(notice), ["broadcastState"]),
        (.broadcastUnmuted(notice), ["broadcastState"]),
        (.volumeChanged(VolumeChanged(broadcastState: state)), ["broadcastState", "volumeLevel"]),
        (.speakerStateChanged(SpeakerStateChanged(broadcastState: state)), ["broadcastState", "state"]),
        (.speakerDisconnected(SpeakerDisconnected(broadcastState: state, gracePeriodSeconds: 120)), ["broadcastState", "gracePeriodSeconds"]),
        (.speakerReconnected(notice), ["broadcastState"]),
        (.sessionEnded(SessionEnded(reason: "gracePeriodExpired")), ["reason"]),
        (.connectionWarning(ConnectionWarning(remainingMinutes: 5, remainingSeconds: 300)), ["remainingMinutes", "remainingSeconds"]),
        (.connectionRefreshRequired(ConnectionRefreshRequired(message: "Reconnect.")), ["message"]),
        (.connectionRefreshRequired(ConnectionRefreshRequired(message: "Reconnect.", reason: "serverShutdown")), ["message", "reason"]),
        (
            .languageChanged(LanguageChanged(targetLanguage: es, previousLanguage: nil, stream: StreamPosition(epoch: "e1", sequence: 2), voice: maria)),
            Set(["targetLanguage", "previousLanguage", "epoch", "sequence"]).union(voiceKeys)
        ),
        (.playbackPaused, []),
        (.playbackResumed, []),
        (.interpreterMuted(InterpreterMuteState(muted: true)), ["muted"]),
        (.interpreterUnmuted(InterpreterMuteState(muted: false)), ["muted"]),
        (.voiceChanged(VoiceChanged(targetLanguage: es, voice: VoiceOnAir(voice: .machine))), Set(["targetLanguage"]).union(voiceKeys)),
        (.heartbeatAck, []),
        (.error(ProtocolError(.rateLimitExceeded, "Slow down.", action: "sendAudio")), ["code", "message", "action"]),
    ]
}()

@Suite("ServerMessage cases")
struct ServerMessageCasesTests {
    @Test(arguments: examples.indices)
    func encodesItsKeysAndDecodesEqual(index: Int) throws {
        let (body, keys) = examples[index]
        let message = ServerMessage(body, sessionId: "a-b-100", timestamp: 1_700_000_001)
        let text = message.encoded()
        let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(json.keys) == keys.union(["type", "sessionId", "timestamp"]), "\(text)")
        #expect(json["type"] as? String == body.type)
        #expect(try ServerMessage.decode(text) == message)
    }

    @Test func nullFieldsAreSentAsNull() throws {
        let text = ServerMessage(.voiceChanged(VoiceChanged(targetLanguage: LanguageCode("es")!, voice: VoiceOnAir(voice: .machine))), sessionId: "a-b-100")
            .encoded()
        let json = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["voice"] as? String == "machine")
        #expect(json["interpreter"] is NSNull)
        #expect(json["interpreterId"] is NSNull)
    }

    @Test func aFlooredChunkSaysSo() throws {
        let chunk = AudioData(
            audioData: "", sampleRate: 16000, targetLanguage: LanguageCode("en")!, segmentId: 0, sequence: 1, chunkIndex: 0, isLastChunk: true,
            publishedAt: 0, voice: .floor)
        #expect(chunk.floor)
        #expect(
            !AudioData(
                audioData: "", sampleRate: 16000, targetLanguage: chunk.targetLanguage, segmentId: 0, sequence: 1, chunkIndex: 0, isLastChunk: true,
                publishedAt: 0, voice: .machine
            ).floor)
    }

    @Test func anUnknownTypeOrAMissingFieldDoesNotDecode() {
        #expect(throws: DecodingError.self) { try ServerMessage.decode(#"{"type":"nonsense","timestamp":1}"#) }
        #expect(throws: DecodingError.self) { try ServerMessage.decode(#"{"type":"sessionEnded","timestamp":1}"#) }
        #expect(throws: DecodingError.self) { try ServerMessage.decode(#"{"type":"heartbeatAck"}"#) }
    }

    @Test func everyTypeHasAnExample() {
        #expect(Set(examples.map(\.0.type)).count == 27)
    }
}
