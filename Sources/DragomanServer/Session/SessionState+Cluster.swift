import DragomanCore
import NIOCore

/// The session across nodes as inputs and outputs of the state: which frames this node relays to
/// the others, and what a frame another node relayed does here. The cluster only carries frames;
/// what they mean is decided here, like every other input.
extension SessionState {
    /// Whether a frame just sent to this node's clients is for the other nodes too: captions and
    /// speech only while they have listeners of the language, notices while they have any
    /// listener, the end, voice changes and revocations always.
    func relays(_ audience: RelayedFrame.Audience, language: LanguageCode?) -> Bool {
        switch audience {
        case .sessionEnded, .voice, .revocation: true
        case .everyone: hasRemoteListeners(of: nil)
        case .caption, .pcmAudio, .opusAudio: language.map { hasRemoteListeners(of: $0) } ?? false
        }
    }

    /// A frame relayed by another node (the one running the pipeline, or the one where a change
    /// happened): who here gets it, and what it changes.
    mutating func receive(_ frame: RelayedFrame) -> [SessionAction] {
        let language = LanguageCode(frame.language)
        // This node's own stream of the language, if it takes the pipeline over, goes on after it.
        if let language, frame.sequence > 0 { noteRelayedSequence(frame.sequence, language: language) }
        let text = String(decoding: frame.payload, as: UTF8.self)
        switch frame.audience {
        case .everyone:
            return [.deliver(text, to: Array(listeners.connections))]
        case .caption:
            guard let language else { return [] }
            // Kept here too, so a listener who reconnects to this node recovers what it missed.
            if frame.isFinal { remember(final: text, sequence: frame.sequence, language: language) }
            return [.deliver(text, to: Array(listeners.listeners(of: language).keys))]
        case .pcmAudio:
            guard let language else { return [] }
            return [.deliverAudio(.text(text), to: listeners(of: language, wantingAudioIn: .pcm))]
        case .opusAudio:
            guard let language else { return [] }
            return [.deliverAudio(.binary(ByteBuffer(bytes: frame.payload)), to: listeners(of: language, wantingAudioIn: .opus))]
        case .voice:
            guard let language else { return [] }
            return setRemoteVoice(frame.interpreter, language: language)
        case .revocation:
            return [.closeRevokedInterpreter(passID: text)]
        case .sessionEnded:
            // The node that ended it published the event; here the session only closes.
            _ = lifecycle.end(.endedBySpeaker)
            return [.closeEnded(text)]
        }
    }

    private func listeners(of language: LanguageCode, wantingAudioIn format: ListenerAudioFormat) -> [ClientConnection] {
        listeners.listeners(of: language).compactMap { connection, slot in
            slot.wantsAudio && slot.audioFormat == format ? connection : nil
        }
    }
}
