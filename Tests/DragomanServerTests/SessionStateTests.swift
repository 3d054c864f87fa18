import DragomanCore
import DragomanStore
import Foundation
import Testing

@testable import DragomanServer

/// `SessionState` without sockets: each input's state change and the actions it returns.
@Suite("SessionState")
struct SessionStateTests {
    static let english = LanguageCode("en")!
    static let spanish = LanguageCode("es")!
    static let french = LanguageCode("fr")!

    static func state(status: SessionStatus = .created, maxListeners: Int = 10, history: Int = 3) -> SessionState {
        let record = SessionRecord(
            id: "state-test", title: "State", sourceLanguage: english, targetLanguages: [spanish], passcodeHash: nil, ownerKeyID: "key",
            qualityTier: nil, status: status, createdAt: Date(timeIntervalSince1970: 1_000))
        return SessionState(record: record, epoch: "e1", limits: .init(maxListeners: maxListeners, recoveryHistory: history, statusChangeThreshold: 0.1))
    }

    static func connection(_ role: Role) -> ClientConnection { ClientConnection(role: role, queueLimit: 16) }

    static func slot(_ language: LanguageCode, format: ListenerAudioFormat = .pcm, captionsOnly: Bool = false) -> ListenerIndex.Slot {
        .init(language: language, captionsOnly: captionsOnly, audioFormat: format)
    }

    static func pass(_ id: String, _ language: LanguageCode) -> InterpreterPass {
        InterpreterPass(id: id, sessionId: "state-test", language: language, name: "Interpreter \(id)", createdAt: .distantPast)
    }

    @Test func speakerConnectsLeavesAndTheLifecycleDecides() {
        var state = Self.state()
        let speaker = Self.connection(.speaker)
        let actions = state.attachSpeaker(speaker, now: 2_000)
        #expect(actions == [.lifecycle(.publish(StatusTransition(previousStatus: .created, status: .active, reason: "speakerConnected")))])
        #expect(state.broadcast.isActive && state.broadcast.lastStateChange == 2_000)
        #expect(state.status == .active)

        let wasLast = state.detachSpeaker(speaker)
        #expect(wasLast && state.speakerIsAway)
        let left = state.speakerDidLeave(now: 2_010)
        #expect(left.contains(.lifecycle(.startGracePeriod)))
        #expect(!state.broadcast.isActive && state.status == .paused)
        let expired = state.gracePeriodDidExpire()
        #expect(expired.contains(.lifecycle(.closeSession(reason: "gracePeriodExpired"))))
        #expect(state.status == .ended)
        let refused = state.attachSpeaker(Self.connection(.speaker), now: 2_020)
        #expect(refused == nil)
    }

    /// A speaker who comes back while the one that left is still being flushed never left.
    @Test func aSpeakerBackDuringTheFlushCancelsTheLeaving() {
        var state = Self.state()
        let first = Self.connection(.speaker)
        _ = state.attachSpeaker(first, now: 1)
        let wasLast = state.detachSpeaker(first)
        #expect(wasLast)
        _ = state.attachSpeaker(Self.connection(.speaker), now: 2)
        #expect(!state.speakerIsAway)
        let left = state.speakerDidLeave(now: 3)
        #expect(left.isEmpty)
        #expect(state.status == .active)
    }

    @Test func aSecondSpeakerConnectionLeavingIsNotTheSpeakerLeaving() {
        var state = Self.state()
        let (first, second) = (Self.connection(.speaker), Self.connection(.speaker))
        _ = state.attachSpeaker(first, now: 1)
        _ = state.attachSpeaker(second, now: 1)
        let firstWasLast = state.detachSpeaker(first)
        let secondWasLast = state.detachSpeaker(second)
        #expect(!firstWasLast && secondWasLast)
    }

    @Test func pausingChangesTheLifecycleAndTheAudienceIsPushed() {
        var state = Self.state()
        _ = state.attachSpeaker(Self.connection(.speaker), now: 1)
        let (type, actions) = state.apply(.pause, now: 5)
        #expect(type == "broadcastPaused")
        #expect(actions.first == .lifecycle(.publish(StatusTransition(previousStatus: .active, status: .paused, reason: "broadcastPaused"))))
        #expect(actions.last == .pushAudience)
        #expect(!state.broadcast.isFlowing && state.broadcast.lastStateChange == 5)
        let (volumeType, volumeActions) = state.apply(.volume(0.5), now: 6)
        #expect(volumeType == "volumeChanged" && volumeActions == [.pushAudience])
        #expect(state.pipelineAudience.volume == 0.5)
    }

    @Test func listenersAreCountedAndTheSpeakerToldOfANewLanguage() throws {
        var state = Self.state()
        let listener = Self.connection(.listener)
        let (admission, actions) = try state.addListener(listener, Self.slot(Self.spanish), resume: nil)
        #expect(admission.position == .init(epoch: "e1", sequence: 0, recovered: nil))
        #expect(admission.missed == nil)
        #expect(actions == [.reportListeners, .pushAudience, .sendStatus(.newLanguage)])
        state.statusWasSent()
        #expect(state.wholeDistribution == [Self.spanish: 1])
        #expect(state.pipelineAudience.languages == [Self.spanish: [.pcm]])

        let (previous, moved) = state.changeLanguage(of: listener, to: Self.french)
        #expect(previous == Self.spanish)
        #expect(moved.contains(.sendStatus(.newLanguage)))
        #expect(state.wholeDistribution == [Self.french: 1])
        let removed = state.removeListener(listener)
        #expect(removed == [.reportListeners, .pushAudience, .sendStatus(.listenerCountChange)])
        #expect(state.wholeDistribution.isEmpty)
        let removedAgain = state.removeListener(listener)
        #expect(removedAgain.isEmpty)
    }

    @Test func aFullOrEndedSessionRefusesListeners() throws {
        var state = Self.state(maxListeners: 1)
        _ = try state.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: nil)
        #expect(throws: ProtocolError.self) { try state.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: nil) }
        var ended = Self.state()
        _ = ended.end(.endedBySpeaker)
        #expect(throws: ProtocolError.self) { try ended.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: nil) }
    }

    /// A listener who resumes gets the finals it missed while they are held, and only of this run.
    @Test func resumingListenersRecoverHeldFinals() throws {
        var state = Self.state(history: 2)
        for text in ["one", "two", "three"] {
            let sequence = state.takeSequence(Self.spanish)
            state.remember(final: text, sequence: sequence, language: Self.spanish)
        }
        #expect(state.streamPosition(of: Self.spanish).sequence == 3)
        let (recovered, _) = try state.addListener(
            Self.connection(.listener), Self.slot(Self.spanish), resume: .init(epoch: "e1", sequence: 1))
        #expect(recovered.missed == ["two", "three"] && recovered.position.recovered == true)
        let (lost, _) = try state.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: .init(epoch: "e1", sequence: 0))
        #expect(lost.missed == nil && lost.position.recovered == false)
        let (otherRun, _) = try state.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: .init(epoch: "e0", sequence: 2))
        #expect(otherRun.missed == nil)
        state.noteRelayedSequence(9, language: Self.spanish)
        let next = state.takeSequence(Self.spanish)
        #expect(next == 10)
    }

    /// Of the unmuted interpreters of a language, the last to unmute is on the air; the machine
    /// stops speaking a language a person speaks.
    @Test func interpretersTakeTheAirAndTheMachineStops() throws {
        var state = Self.state()
        _ = try state.addListener(Self.connection(.listener), Self.slot(Self.spanish), resume: nil)
        let maria = Self.connection(.interpreter)
        let attached = state.attachInterpreter(maria, pass: Self.pass("m", Self.spanish), muted: false)
        let actions = try #require(attached)
        #expect(
            actions == [.reportListeners, .announceVoice(Self.spanish, LanguageVoice(interpreter: Self.pass("m", Self.spanish)), local: true, skipping: maria)])
        #expect(state.pipelineAudience.languages[Self.spanish] == [])
        #expect(state.languageOnAir(from: maria) == Self.spanish)

        let jean = Self.connection(.interpreter)
        _ = state.attachInterpreter(jean, pass: Self.pass("j", Self.spanish), muted: true)
        #expect(state.languageOnAir(from: jean) == nil)
        let handOver = state.setInterpreterMuted(false, for: jean)
        #expect(handOver.last == .announceVoice(Self.spanish, LanguageVoice(interpreter: Self.pass("j", Self.spanish)), local: true, skipping: nil))
        #expect(state.interpreterPresence().onAir == ["j"])
        _ = state.detachInterpreter(jean)
        #expect(state.voice(of: Self.spanish).interpreter?.id == "m")
        let detached = state.detachInterpreter(maria)
        #expect(detached.last == .announceVoice(Self.spanish, .machine, local: true, skipping: nil))
        #expect(state.pipelineAudience.languages[Self.spanish] == [.pcm])
        #expect(state.voice(of: Self.english) == .floor)
    }

    /// Another node's interpreter: learnt from its relayed change or from its listener counts,
    /// and given back to the machine when that node's counts are gone.
    @Test func remoteVoicesFollowTheOtherNodes() {
        var state = Self.state()
        let remote = Self.pass("r", Self.french)
        let learnt = state.setRemoteVoice(remote, language: Self.french)
        #expect(learnt == [.announceVoice(Self.french, LanguageVoice(interpreter: remote), local: false, skipping: nil)])
        let again = state.setRemoteVoice(remote, language: Self.french)
        #expect(again.isEmpty)
        var tally = ListenerTally()
        tally.listeners = 2
        tally.opusListeners = 2
        let actions = state.setRemoteListeners([Self.french: tally])
        #expect(actions.contains(.sendStatus(.newLanguage)))
        #expect(actions.last == .announceVoice(Self.french, .machine, local: false, skipping: nil))
        #expect(state.pipelineAudience.languages == [Self.french: [.opus]])
        #expect(state.hasRemoteListeners(of: Self.french) && !state.hasRemoteListeners(of: Self.spanish))
        let unchanged = state.setRemoteListeners([Self.french: tally])
        #expect(unchanged.isEmpty)
    }
}
