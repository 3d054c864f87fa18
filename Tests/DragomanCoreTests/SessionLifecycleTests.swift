import DragomanCore
import Testing

@Suite("SessionLifecycle")
struct SessionLifecycleTests {
    private static func publish(_ previous: SessionStatus?, _ status: SessionStatus, _ reason: String) -> SessionLifecycle.Action {
        .publish(StatusTransition(previousStatus: previous, status: status, reason: reason))
    }

    @Test func newSessionIsCreatedAndAnnouncesItself() {
        let lifecycle = SessionLifecycle()
        #expect(lifecycle.status == .created)
        #expect(lifecycle.acceptsSpeaker)
        #expect(!lifecycle.needsGracePeriod)
        #expect(SessionLifecycle.creationActions == [Self.publish(nil, .created, "created")])
    }

    @Test func firstSpeakerMakesItActive() {
        var lifecycle = SessionLifecycle()
        #expect(lifecycle.speakerDidConnect() == [Self.publish(.created, .active, "speakerConnected")])
        #expect(lifecycle.status == .active)
        #expect(lifecycle.speakerConnected && lifecycle.hadSpeaker)
        // A second connect of the same speaker changes nothing.
        #expect(lifecycle.speakerDidConnect() == [])
    }

    @Test func pauseAndResumeTheBroadcast() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        #expect(lifecycle.pauseBroadcast() == [Self.publish(.active, .paused, "broadcastPaused")])
        #expect(lifecycle.status == .paused)
        #expect(lifecycle.pauseBroadcast() == [])
        #expect(lifecycle.resumeBroadcast() == [Self.publish(.paused, .active, "broadcastResumed")])
        #expect(lifecycle.status == .active)
        #expect(lifecycle.resumeBroadcast() == [])
    }

    @Test func pausingBeforeAnySpeakerKeepsItCreated() {
        var lifecycle = SessionLifecycle()
        #expect(lifecycle.pauseBroadcast() == [])
        #expect(lifecycle.status == .created)
        #expect(lifecycle.broadcastPaused)
        // The first speaker then finds the broadcast paused.
        #expect(lifecycle.speakerDidConnect() == [Self.publish(.created, .paused, "speakerConnected")])
    }

    @Test func speakerDropStartsTheGracePeriod() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        #expect(lifecycle.speakerDidDisconnect() == [Self.publish(.active, .paused, "speakerDisconnected"), .startGracePeriod])
        #expect(lifecycle.status == .paused)
        #expect(lifecycle.needsGracePeriod)
        #expect(lifecycle.acceptsSpeaker)
        #expect(lifecycle.speakerDidDisconnect() == [])
    }

    @Test func disconnectWithoutSpeakerDoesNothing() {
        var lifecycle = SessionLifecycle()
        #expect(lifecycle.speakerDidDisconnect() == [])
        #expect(lifecycle.status == .created)
    }

    @Test func speakerReturnWithinGraceCancelsIt() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        _ = lifecycle.speakerDidDisconnect()
        #expect(lifecycle.speakerDidConnect() == [Self.publish(.paused, .active, "speakerReconnected"), .cancelGracePeriod])
        #expect(lifecycle.status == .active)
        #expect(!lifecycle.needsGracePeriod)
        // A late expiry is ignored.
        #expect(lifecycle.gracePeriodDidExpire() == [])
        #expect(lifecycle.status == .active)
    }

    @Test func dropAndReturnWhilePausedStaysPaused() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        _ = lifecycle.pauseBroadcast()
        #expect(lifecycle.speakerDidDisconnect() == [.startGracePeriod])
        #expect(lifecycle.speakerDidConnect() == [.cancelGracePeriod])
        #expect(lifecycle.status == .paused)
    }

    @Test func graceExpiryEndsTheSession() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        _ = lifecycle.speakerDidDisconnect()
        #expect(
            lifecycle.gracePeriodDidExpire() == [
                Self.publish(.paused, .ended, "gracePeriodExpired"), .closeSession(reason: "gracePeriodExpired"),
            ])
        #expect(lifecycle.status == .ended)
        #expect(lifecycle.hasEnded)
    }

    @Test func graceExpiryNeverEndsASessionThatHadNoSpeaker() {
        var lifecycle = SessionLifecycle()
        #expect(lifecycle.gracePeriodDidExpire() == [])
        #expect(lifecycle.status == .created)
    }

    @Test(arguments: [SessionLifecycle.EndReason.endedBySpeaker, .gracePeriodExpired, .expired])
    func endFromEveryStatus(reason: SessionLifecycle.EndReason) {
        var created = SessionLifecycle()
        #expect(created.end(reason) == [Self.publish(.created, .ended, reason.rawValue), .closeSession(reason: reason.rawValue)])

        var active = SessionLifecycle()
        _ = active.speakerDidConnect()
        #expect(active.end(reason) == [Self.publish(.active, .ended, reason.rawValue), .closeSession(reason: reason.rawValue)])

        var paused = SessionLifecycle()
        _ = paused.speakerDidConnect()
        _ = paused.pauseBroadcast()
        #expect(paused.end(reason) == [Self.publish(.paused, .ended, reason.rawValue), .closeSession(reason: reason.rawValue)])
    }

    @Test func endIsFinal() {
        var lifecycle = SessionLifecycle()
        _ = lifecycle.speakerDidConnect()
        _ = lifecycle.end(.endedBySpeaker)
        #expect(!lifecycle.acceptsSpeaker)
        #expect(lifecycle.end(.endedBySpeaker) == [])
        #expect(lifecycle.end(.expired) == [])
        #expect(lifecycle.speakerDidDisconnect() == [])
        #expect(lifecycle.speakerDidConnect() == [])
        #expect(lifecycle.pauseBroadcast() == [])
        #expect(lifecycle.resumeBroadcast() == [])
        #expect(lifecycle.gracePeriodDidExpire() == [])
        #expect(!lifecycle.needsGracePeriod)
        #expect(lifecycle.status == .ended)
    }

    @Test func restoreCreated() {
        var lifecycle = SessionLifecycle(restoring: .created)
        #expect(lifecycle.status == .created)
        #expect(!lifecycle.needsGracePeriod)
        #expect(lifecycle.speakerDidConnect() == [Self.publish(.created, .active, "speakerConnected")])
    }

    @Test(arguments: [SessionStatus.active, .paused])
    func restoreWithASpeakerWaitsForIt(stored: SessionStatus) {
        var lifecycle = SessionLifecycle(restoring: stored)
        #expect(lifecycle.status == .paused)
        #expect(lifecycle.needsGracePeriod)
        #expect(lifecycle.acceptsSpeaker)
        #expect(lifecycle.speakerDidConnect() == [Self.publish(.paused, .active, "speakerReconnected"), .cancelGracePeriod])
    }

    @Test func restoreWithASpeakerEndsWhenGraceExpires() {
        var lifecycle = SessionLifecycle(restoring: .active)
        #expect(
            lifecycle.gracePeriodDidExpire() == [
                Self.publish(.paused, .ended, "gracePeriodExpired"), .closeSession(reason: "gracePeriodExpired"),
            ])
    }

    @Test func restoreEnded() {
        var lifecycle = SessionLifecycle(restoring: .ended)
        #expect(lifecycle.status == .ended)
        #expect(!lifecycle.acceptsSpeaker)
        #expect(!lifecycle.needsGracePeriod)
        #expect(lifecycle.speakerDidConnect() == [])
        #expect(lifecycle.end(.expired) == [])
    }
}
