import DragomanCore
import Foundation
import Testing

@Suite("ServerMessage encoding")
struct ServerMessageTests {
    /// The encoded message as a JSON object.
    private func object(_ message: ServerMessage) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(message.encoded().utf8)) as? [String: Any])
    }

    @Test func carriesTypeSessionIdAndTimestamp() throws {
        let before = UnixTime.now
        let json = try object(ServerMessage(.heartbeatAck, sessionId: "golden-eagle-427"))
        #expect(json["type"] as? String == "heartbeatAck")
        #expect(json["sessionId"] as? String == "golden-eagle-427")
        let timestamp = try #require(json["timestamp"] as? Int)
        #expect(timestamp >= before && timestamp <= UnixTime.now)
        #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 5)
    }

    @Test func withoutSessionTheKeyIsAbsent() throws {
        let json = try object(ServerMessage(.connectionWarning(ConnectionWarning(remainingMinutes: 5, remainingSeconds: 300)), sessionId: nil, timestamp: 7))
        #expect(json["sessionId"] == nil)
        #expect(json["timestamp"] as? Int == 7)
        #expect(json["remainingMinutes"] as? Int == 5)
    }

    @Test func theCaseIsTheType() throws {
        let json = try object(ServerMessage(.sessionEnded(SessionEnded(reason: "expired")), sessionId: "a-b-100", timestamp: 1))
        #expect(json["type"] as? String == "sessionEnded")
        #expect(json["timestamp"] as? Int == 1)
        #expect(json["reason"] as? String == "expired")
        #expect(Set(json.keys) == ["type", "sessionId", "timestamp", "reason"])
    }

    @Test func errorCarriesCodeMessageAndAction() throws {
        let json = try object(.error(ProtocolError(.forbidden, "No.", action: "pauseBroadcast"), sessionId: "a-b-100"))
        #expect(json["type"] as? String == "error")
        #expect(json["code"] as? String == "FORBIDDEN")
        #expect(json["message"] as? String == "No.")
        #expect(json["action"] as? String == "pauseBroadcast")
        let withoutAction = try object(.error(ProtocolError(.invalidMessage, "Bad."), sessionId: nil))
        #expect(withoutAction["action"] is NSNull)
        #expect(withoutAction.keys.contains("action"))
    }

    @Test func errorCodesAreTheProtocols() {
        let codes = Set(ErrorCode.allCases.map(\.rawValue))
        for code in [
            "INVALID_MESSAGE", "UNKNOWN_ACTION", "FORBIDDEN", "SESSION_NOT_FOUND", "SESSION_ENDED", "UNSUPPORTED_LANGUAGE",
            "INVALID_AUDIO_FORMAT", "PAYLOAD_TOO_LARGE", "RATE_LIMIT_EXCEEDED", "INTERNAL",
        ] {
            #expect(codes.contains(code), "\(code)")
        }
    }

    @Test func broadcastStateHasTheProtocolsKeys() throws {
        let state = BroadcastState(isActive: true, isPaused: false, isMuted: true, volume: 0.5, lastStateChange: 1_700_000_000)
        let json = try object(.broadcastChange(.broadcastMuted, sessionId: "a-b-100", state: state))
        let broadcast = try #require(json["broadcastState"] as? [String: Any])
        #expect(Set(broadcast.keys) == ["isActive", "isPaused", "isMuted", "volume", "lastStateChange"])
        #expect(broadcast["isMuted"] as? Bool == true)
        #expect(broadcast["volume"] as? Double == 0.5)
        #expect(!state.isFlowing)
        #expect(BroadcastState(lastStateChange: 0).isFlowing)
    }

    @Test func volumeAndStateChangesCarryTheirValues() throws {
        let state = BroadcastState(isActive: true, isPaused: true, isMuted: false, volume: 0.3, lastStateChange: 1)
        let volume = try object(.broadcastChange(.volumeChanged, sessionId: "a-b-100", state: state))
        #expect(volume["volumeLevel"] as? Double == 0.3)
        let change = try object(.broadcastChange(.speakerStateChanged, sessionId: "a-b-100", state: state))
        let whole = try #require(change["state"] as? [String: Any])
        #expect(Set(whole.keys) == ["isPaused", "isMuted", "volume"])
        #expect(whole["isPaused"] as? Bool == true)
    }

    @Test func sessionStatusHasEveryField() throws {
        let status = SessionStatusReport(
            distribution: [LanguageCode("es")!: 15, LanguageCode("fr")!: 12], sessionDuration: 61, broadcastState: BroadcastState(lastStateChange: 1),
            updateReason: .listenerCountChange, voices: [LanguageCode("es")!: "Maria"])
        let message = ServerMessage(.sessionStatus(status), sessionId: "a-b-100")
        let json = try object(message)
        for key in ["type", "sessionId", "listenerCount", "languageDistribution", "sessionDuration", "broadcastState", "timestamp", "updateReason"] {
            #expect(json[key] != nil, "\(key)")
        }
        #expect(json["listenerCount"] as? Int == 27)
        #expect(json["languageDistribution"] as? [String: Int] == ["es": 15, "fr": 12])
        #expect(json["sessionDuration"] as? Int == 61)
        #expect(json["updateReason"] as? String == "listenerCountChange")
        #expect(json["voices"] as? [String: String] == ["es": "Maria"])
    }

    @Test func urlsAreNotEscaped() {
        let created = SessionCreated(
            title: "Talk", sourceLanguage: LanguageCode("en")!, qualityTier: "standard", status: .created, broadcastState: BroadcastState(lastStateChange: 1),
            joinUrl: "http://x/s/a-b-100", availableLanguages: [LanguageCode("es")!])
        let text = ServerMessage(.sessionCreated(created), sessionId: "a-b-100").encoded()
        #expect(text.contains("http://x/s/a-b-100"))
    }
}

@Suite("SessionStatusChangeEvent")
struct SessionStatusChangeEventTests {
    @Test func isACloudEvent() throws {
        let event = SessionStatusChangeEvent(
            id: "e1", source: "/dragoman", time: Date(timeIntervalSince1970: 0), sessionId: "a-b-100", title: "Talk",
            sourceLanguage: LanguageCode("en")!, transition: StatusTransition(previousStatus: nil, status: .created, reason: "created"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(event.encoded().utf8)) as? [String: Any])
        #expect(json["specversion"] as? String == "1.0")
        #expect(json["type"] as? String == "Session Status Change")
        #expect(json["id"] as? String == "e1")
        #expect(json["source"] as? String == "/dragoman")
        #expect(json["subject"] as? String == "a-b-100")
        #expect(json["datacontenttype"] as? String == "application/json")
        #expect((json["time"] as? String)?.hasPrefix("1970-01-01T00:00:00") == true)
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["status"] as? String == "created")
        #expect(data["previousStatus"] is NSNull)
        #expect(data["reason"] as? String == "created")
        #expect(data["sessionId"] as? String == "a-b-100")
        let decoded = try JSONDecoder().decode(SessionStatusChangeEvent.self, from: Data(event.encoded().utf8))
        #expect(decoded == event)
    }
}
