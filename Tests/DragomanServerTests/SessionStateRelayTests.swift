import DragomanCore
import NIOCore
import Testing

@testable import DragomanServer

/// The session across nodes without a database: which frames `SessionState` relays, and what a
/// frame another node relayed does here.
@Suite("SessionState across nodes")
struct SessionStateRelayTests {
    typealias Fixtures = SessionStateTests

    static func frame(_ audience: RelayedFrame.Audience, _ language: LanguageCode?, sequence: Int = 0, _ text: String, isFinal: Bool = false)
        -> RelayedFrame
    {
        RelayedFrame(
            sessionId: "state-test", audience: audience, language: language?.rawValue ?? "", sequence: sequence, payload: Array(text.utf8),
            isFinal: isFinal)
    }

    /// Captions and speech go to the other nodes only while they have listeners of the language.
    @Test func relaysOnlyWhatTheOtherNodesListenTo() {
        var state = Fixtures.state()
        #expect(!state.relays(.caption, language: Fixtures.spanish) && !state.relays(.everyone, language: nil))
        #expect(state.relays(.sessionEnded, language: nil) && state.relays(.voice, language: Fixtures.spanish))
        var tally = ListenerTally()
        tally.listeners = 1
        _ = state.setRemoteListeners([Fixtures.spanish: tally])
        #expect(state.relays(.caption, language: Fixtures.spanish) && state.relays(.pcmAudio, language: Fixtures.spanish))
        #expect(!state.relays(.opusAudio, language: Fixtures.french))
        #expect(state.relays(.everyone, language: nil))
    }

    /// A relayed caption reaches this node's listeners of its language only; a final one is kept
    /// for those who reconnect here, and the language's stream goes on after its sequence.
    @Test func aRelayedCaptionReachesItsLanguageAndIsKept() throws {
        var state = Fixtures.state()
        let spanish = Fixtures.connection(.listener)
        let french = Fixtures.connection(.listener)
        _ = try state.addListener(spanish, Fixtures.slot(Fixtures.spanish), resume: nil)
        _ = try state.addListener(french, Fixtures.slot(Fixtures.french), resume: nil)

        let partial = state.receive(Self.frame(.caption, Fixtures.spanish, sequence: 4, "hola"))
        #expect(partial == [.deliver("hola", to: [spanish])])
        #expect(state.missedFrames(since: .init(epoch: "e1", sequence: 3), language: Fixtures.spanish) == [])
        let final = state.receive(Self.frame(.caption, Fixtures.spanish, sequence: 5, "hola a todos", isFinal: true))
        #expect(final == [.deliver("hola a todos", to: [spanish])])
        #expect(state.missedFrames(since: .init(epoch: "e1", sequence: 4), language: Fixtures.spanish) == ["hola a todos"])
        #expect(state.takeSequence(Fixtures.spanish) == 6)
    }

    /// Relayed speech goes to the listeners of its language who hear it in that format, on
    /// their audio queue; notices to every listener.
    @Test func relayedSpeechReachesTheListenersOfItsFormat() throws {
        var state = Fixtures.state()
        let pcm = Fixtures.connection(.listener)
        let opus = Fixtures.connection(.listener)
        let captionsOnly = Fixtures.connection(.listener)
        _ = try state.addListener(pcm, Fixtures.slot(Fixtures.spanish), resume: nil)
        _ = try state.addListener(opus, Fixtures.slot(Fixtures.spanish, format: .opus), resume: nil)
        _ = try state.addListener(captionsOnly, Fixtures.slot(Fixtures.spanish, captionsOnly: true), resume: nil)

        #expect(state.receive(Self.frame(.pcmAudio, Fixtures.spanish, "{}")) == [.deliverAudio(.text("{}"), to: [pcm])])
        let binary = state.receive(Self.frame(.opusAudio, Fixtures.spanish, "ab"))
        #expect(binary == [.deliverAudio(.binary(ByteBuffer(bytes: Array("ab".utf8))), to: [opus])])
        let notice = state.receive(Self.frame(.everyone, nil, "paused"))
        guard case .deliver("paused", let everyone) = notice.first else {
            Issue.record("\(notice)")
            return
        }
        #expect(Set(everyone) == [pcm, opus, captionsOnly])
    }

    /// Another node's voice change and revocation become this node's inputs; its end closes
    /// the session here without publishing it again.
    @Test func voicesRevocationsAndTheEndFromAnotherNode() {
        var state = Fixtures.state(status: .active)
        let maria = Fixtures.pass("m", Fixtures.french)
        var voice = Self.frame(.voice, Fixtures.french, "voiceChanged")
        voice.interpreter = maria
        #expect(state.receive(voice) == [.announceVoice(Fixtures.french, LanguageVoice(interpreter: maria), local: false, skipping: nil)])
        #expect(state.receive(Self.frame(.revocation, nil, "m")) == [.closeRevokedInterpreter(passID: "m")])

        #expect(state.receive(Self.frame(.sessionEnded, nil, "ended")) == [.closeEnded("ended")])
        #expect(state.status == .ended)
    }
}
