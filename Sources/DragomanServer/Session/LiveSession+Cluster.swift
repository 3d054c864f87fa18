import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Metrics
import NIOCore

/// The session across nodes: the speaker lease (who runs the pipeline), the frames relayed to and
/// from the other nodes, their listeners and voices.
extension LiveSession {
    /// Takes the speaker lease in a cluster, so this node runs the pipeline; waits a little for a
    /// node that just lost its speaker (or died) to let it go. Always `true` on a single node.
    func takeSpeakerLease() async -> Bool {
        guard let cluster, !holdsSpeakerLease else { return true }
        for attempt in 0..<Self.leaseAttempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(250)) }
            if await cluster.acquireSpeakerLease(for: id) {
                holdsSpeakerLease = true
                hadSpeakerHere = true
                // A pipeline left from an earlier lease would count segments from where this node
                // last had them; a new one starts after the last one stored by any node.
                pipeline?.stop()
                pipeline = nil
                await cluster.refreshRemoteListeners(of: self)
                return true
            }
        }
        return false
    }

    /// The cluster found this node's speaker lease gone and taken by another node (its lock
    /// connection died): this node must not run the pipeline any more. Its speakers are asked to
    /// reconnect, which takes the lease back or finds the node that has it.
    func speakerLeaseWasLost() {
        guard holdsSpeakerLease else { return }
        holdsSpeakerLease = false
        pipeline?.stop()
        pipeline = nil
        let refresh = ServerMessage(
            .connectionRefreshRequired(
                ConnectionRefreshRequired(message: "This server lost its hold on the session; connect again with refreshConnection.", reason: "leaseLost")),
            sessionId: id)
        for speaker in state.speakers {
            speaker.send(refresh)
            speaker.close(.goingAway, reason: "speaker lease lost")
        }
    }

    /// How often `takeSpeakerLease` tries, a quarter of a second apart.
    private static let leaseAttempts = 20

    func releaseSpeakerLease() async {
        guard holdsSpeakerLease else { return }
        holdsSpeakerLease = false
        await cluster?.releaseSpeakerLease(for: id)
    }

    /// Whether a grace period that ran out may end the session: always on a single node. In a
    /// cluster, never while another node has the speaker; a node the speaker left ends it, and one
    /// that never had the speaker only when the lease was free at two expiries in a row (the
    /// speaker's node died with it).
    func speakerIsGoneFromCluster() async -> Bool {
        guard let cluster, !holdsSpeakerLease else { return true }
        guard await cluster.acquireSpeakerLease(for: id) else {
            speakerLeaseWasFree = false
            return false
        }
        await cluster.releaseSpeakerLease(for: id)
        defer { speakerLeaseWasFree = true }
        return hadSpeakerHere || speakerLeaseWasFree
    }

    /// Queues a frame just sent to this node's listeners for the listeners of the other nodes.
    func relay(
        _ audience: RelayedFrame.Audience, language: LanguageCode? = nil, sequence: Int = 0, text: String, isFinal: Bool = false,
        interpreter: InterpreterPass? = nil
    ) {
        guard let cluster, state.relays(audience, language: language) else { return }
        cluster.relay(
            RelayedFrame(
                sessionId: id, audience: audience, language: language?.rawValue ?? "", sequence: sequence, payload: Array(text.utf8), isFinal: isFinal,
                interpreter: interpreter))
    }

    /// A frame relayed by another node: the state decides what it does here.
    func deliver(_ frame: RelayedFrame) async {
        await perform(state.receive(frame))
    }

    /// The session ended on another node: nothing more runs here, and every connection is closed.
    func closeEnded(with frame: String) async {
        graceTask?.cancel()
        pipeline?.stop()
        pipeline = nil
        await closeConnections(with: frame)
    }

    /// The listeners of the other nodes changed.
    func setRemoteListeners(_ tally: [LanguageCode: ListenerTally]) {
        apply(state.setRemoteListeners(tally))
    }

    /// Tells every connection here the session is over, closes them and forgets the session.
    func closeConnections(with ended: String) async {
        for connection in state.everyConnection {
            connection.send(text: ended)
            connection.close(.normalClosure, reason: "session ended")
        }
        state.removeAllConnections()
        cluster?.reportListeners(of: id, [:])
        await releaseSpeakerLease()
        await onEnded(id)
    }
}
