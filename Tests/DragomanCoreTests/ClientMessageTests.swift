import DragomanCore
import Testing

@Suite("ClientMessage.parse")
struct ClientMessageTests {
    /// Parses `text`, returning the protocol error it throws, if any.
    private func error(_ text: String) -> ProtocolError? {
        do {
            _ = try ClientMessage.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        (#"{"action":"sendAudio","audioData":"AAAA"}"#, ClientMessage.sendAudio(base64: "AAAA")),
        (#"{"action":"pauseBroadcast"}"#, .pauseBroadcast),
        (#"{"action":"resumeBroadcast"}"#, .resumeBroadcast),
        (#"{"action":"muteBroadcast"}"#, .muteBroadcast),
        (#"{"action":"unmuteBroadcast"}"#, .unmuteBroadcast),
        (#"{"action":"setVolume","volumeLevel":0.25}"#, .setVolume(0.25)),
        (
            #"{"action":"speakerStateChange","state":{"isPaused":true,"isMuted":false,"volume":0.5}}"#,
            .speakerStateChange(.init(isPaused: true, isMuted: false, volume: 0.5))
        ),
        (#"{"action":"speakerStateChange","state":{"isMuted":true}}"#, .speakerStateChange(.init(isMuted: true))),
        (#"{"action":"speakerStateChange","state":{}}"#, .speakerStateChange(.init())),
        (#"{"action":"getSessionStatus"}"#, .getSessionStatus),
        (#"{"action":"changeLanguage","targetLanguage":"fr"}"#, .changeLanguage(LanguageCode("fr")!)),
        (#"{"action":"changeLanguage","targetLanguage":"es-MX"}"#, .changeLanguage(LanguageCode("es")!)),
        (#"{"action":"pausePlayback"}"#, .pausePlayback),
        (#"{"action":"resumePlayback"}"#, .resumePlayback),
        (#"{"action":"heartbeat"}"#, .heartbeat),
        (#"{"action":"muteInterpreter"}"#, .muteInterpreter),
        (#"{"action":"unmuteInterpreter"}"#, .unmuteInterpreter),
        (#"{"action":"createSession","sourceLanguage":"en"}"#, .repeatConnect(action: "createSession")),
        (#"{"action":"joinSession","sessionId":"golden-eagle-427","targetLanguage":"es"}"#, .repeatConnect(action: "joinSession")),
        (#"{"action":"refreshConnection","role":"listener"}"#, .repeatConnect(action: "refreshConnection")),
        // Extra fields are ignored.
        (#"{"action":"heartbeat","clientTime":12345,"extra":{"a":[1,2]}}"#, .heartbeat),
    ])
    func everyAction(text: String, expected: ClientMessage) throws {
        #expect(try ClientMessage.parse(text) == expected)
    }

    @Test func rolesOfEachAction() throws {
        for action in ClientMessage.speakerActions {
            let text = #"{"action":"\#(action)","audioData":"AAAA","volumeLevel":1,"state":{},"command":"pause"}"#
            #expect(try ClientMessage.parse(text).allowedRoles.contains(.speaker), "\(action)")
            #expect(try !ClientMessage.parse(text).allowedRoles.contains(.listener), "\(action)")
        }
        for action in ClientMessage.listenerActions {
            #expect(try ClientMessage.parse(#"{"action":"\#(action)","targetLanguage":"es"}"#).allowedRoles == [.listener], "\(action)")
        }
        for action in ClientMessage.interpreterActions {
            #expect(try ClientMessage.parse(#"{"action":"\#(action)"}"#).allowedRoles == [.interpreter], "\(action)")
        }
        // An interpreter speaks, but runs nothing else of the broadcast.
        #expect(ClientMessage.sendAudio(base64: "").allowedRoles == [.speaker, .interpreter])
        #expect(ClientMessage.pauseBroadcast.allowedRoles == [.speaker])
        #expect(ClientMessage.heartbeat.allowedRoles == Set(Role.allCases))
        #expect(ClientMessage.repeatConnect(action: "interpretSession").allowedRoles == Set(Role.allCases))
        #expect(ClientMessage.speakerActions.isDisjoint(with: ClientMessage.listenerActions))
        #expect(ClientMessage.interpreterActions.isDisjoint(with: ClientMessage.speakerActions.union(ClientMessage.listenerActions)))
    }

    @Test(arguments: ["not json", "", "{", #"{"action":}"#, "[1,2]", #""heartbeat""#, "42", "null"])
    func notAJSONObjectIsInvalid(text: String) {
        #expect(error(text)?.code == .invalidMessage)
    }

    @Test func missingOrWrongTypedActionIsInvalid() {
        #expect(error("{}")?.code == .invalidMessage)
        #expect(error(#"{"type":"heartbeat"}"#)?.code == .invalidMessage)
        #expect(error(#"{"action":42}"#)?.code == .invalidMessage)
        #expect(error(#"{"action":null}"#)?.code == .invalidMessage)
        #expect(error(#"{"action":["heartbeat"]}"#)?.code == .invalidMessage)
    }

    @Test func unknownActionIsNamed() {
        let failure = error(#"{"action":"launchRocket"}"#)
        #expect(failure?.code == .unknownAction)
        #expect(failure?.action == "launchRocket")
        #expect(error(#"{"action":"HEARTBEAT"}"#)?.code == .unknownAction)
    }

    @Test(arguments: [
        (#"{"action":"sendAudio"}"#, "sendAudio"),
        (#"{"action":"sendAudio","audioData":12}"#, "sendAudio"),
        (#"{"action":"sendAudio","audioData":null}"#, "sendAudio"),
        (#"{"action":"setVolume"}"#, "setVolume"),
        (#"{"action":"setVolume","volumeLevel":"0.5"}"#, "setVolume"),
        (#"{"action":"setVolume","volumeLevel":true}"#, "setVolume"),
        (#"{"action":"speakerStateChange"}"#, "speakerStateChange"),
        (#"{"action":"speakerStateChange","state":"paused"}"#, "speakerStateChange"),
        (#"{"action":"speakerStateChange","state":{"isPaused":"yes"}}"#, "speakerStateChange"),
        (#"{"action":"speakerStateChange","state":{"isMuted":1}}"#, "speakerStateChange"),
        (#"{"action":"speakerStateChange","state":{"volume":"loud"}}"#, "speakerStateChange"),
        (#"{"action":"changeLanguage"}"#, "changeLanguage"),
        (#"{"action":"changeLanguage","targetLanguage":7}"#, "changeLanguage"),
    ])
    func missingOrWrongTypedFieldsAreInvalid(text: String, action: String) {
        let failure = error(text)
        #expect(failure?.code == .invalidMessage)
        #expect(failure?.action == action)
    }

    @Test func volumeRange() throws {
        #expect(try ClientMessage.parse(#"{"action":"setVolume","volumeLevel":0}"#) == .setVolume(0))
        #expect(try ClientMessage.parse(#"{"action":"setVolume","volumeLevel":1}"#) == .setVolume(1))
        #expect(try ClientMessage.parse(#"{"action":"setVolume","volumeLevel":1.0}"#) == .setVolume(1))
        for level in ["-0.01", "1.01", "2", "-1", "1e9"] {
            #expect(error(#"{"action":"setVolume","volumeLevel":\#(level)}"#)?.code == .invalidMessage, "\(level)")
            #expect(error(#"{"action":"speakerStateChange","state":{"volume":\#(level)}}"#)?.code == .invalidMessage, "\(level)")
        }
    }

    @Test func aTargetLanguageThatIsNoTagIsUnsupported() {
        for tag in ["", "x", "klingon", "12", "e5"] {
            let failure = error(#"{"action":"changeLanguage","targetLanguage":"\#(tag)"}"#)
            #expect(failure?.code == .unsupportedLanguage, "\(tag)")
            #expect(failure?.action == "changeLanguage")
        }
    }

    @Test func actionNameIsReadWithoutChecking() {
        #expect(ClientMessage.actionName(of: ["action": "sendAudio"]) == "sendAudio")
        #expect(ClientMessage.actionName(of: ["action": 1]) == nil)
        #expect(ClientMessage.actionName(of: ["nothing": "here"]) == nil)
        #expect(ClientMessage.actionName(of: [1, 2]) == nil)
    }
}
