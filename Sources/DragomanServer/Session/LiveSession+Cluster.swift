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
        guard let cluster else { return }
        let wanted =
            switch audience {
            case .sessionEnded: true
            case .everyone: state.hasRemoteListeners(of: nil)
            case .voice, .revocation: true
            case .caption, .pcmAudio, .opusAudio: language.map { state.hasRemoteListeners(of: $0) } ?? false
            }
        guard wanted else { return }
        cluster.relay(
            RelayedFrame(
                sessionId: id, audience: audience, language: language?.rawValue ?? "", sequence: sequence, payload: Array(text.utf8), isFinal: isFinal,
                interpreter: interpreter))
    }

    /// Hands a frame relayed by the node running the pipeline to this node's listeners it is for.
    func deliver(_ frame: RelayedFrame) async {
        let language = LanguageCode(frame.language)
        if let language, frame.sequence > 0 { state.noteRelayedSequence(frame.sequence, language: language) }
        let text = String(decoding: frame.payload, as: UTF8.self)
        switch frame.audience {
        case .everyone:
            for connection in state.listeners.connections { connection.send(text: text) }
        case .caption:
            guard let language else { return }
            // Kept here too, so a listener who reconnects to this node recovers what it missed.
            if frame.isFinal { state.remember(final: text, sequence: frame.sequence, language: language) }
            for connection in state.listeners.listeners(of: language).keys { connection.send(text: text) }
        case .pcmAudio:
            guard let language else { return }
            for (connection, slot) in state.listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .pcm {
                connection.send(audio: .text(text))
            }
        case .opusAudio:
            guard let language else { return }
            let buffer = ClientConnection.Outbound.binary(ByteBuffer(bytes: frame.payload))
            for (connection, slot) in state.listeners.listeners(of: language) where slot.wantsAudio && slot.audioFormat == .opus {
                connection.send(audio: buffer)
            }
        case .voice:
            guard let language else { return }
            deliverRemoteVoice(frame.interpreter, language: language)
        case .revocation:
            closeInterpreterConnections(passID: text)
        case .sessionEnded:
            // Another node ended it and published the event; here it only closes.
            _ = state.end(.endedBySpeaker)
            graceTask?.cancel()
            pipeline?.stop()
            pipeline = nil
            await closeConnections(with: text)
        }
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
