import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Logging
import Metrics
import NIOCore

/// What the pipeline emits, and people's voices, on their way to the listeners; the status the
/// speakers are sent. The frames are made here, encoded once, and queued outside the actor
/// (`Deliveries`).
extension LiveSession {
    /// Starts the speech pipeline for a speaker here, unless it runs already.
    func startPipelineIfNeeded() {
        guard pipeline == nil else { return }
        let speech = SessionPipeline(
            sessionId: id, sourceLanguage: record.sourceLanguage, engines: engines.forSession(id), store: store, writer: writer, settings: settings,
            logger: logger)
        var link = PipelineLink(running: speech, under: pipelines, for: self)
        if !state.broadcast.isFlowing { link.send(.flowing(false)) }
        link.push(state.pipelineAudience)
        pipeline = link
    }

    /// Finishes the segment under way and waits until it is published.
    func flushPipeline() async {
        guard pipeline != nil else { return }
        await withCheckedContinuation { waiter in
            if pipeline != nil { pipeline?.flush(waiter) } else { waiter.resume() }
        }
    }

    /// Publishes what the pipeline emitted; the caller queues the frames.
    func receive(_ output: PipelineOutput) -> Deliveries {
        switch output {
        case .caption(let caption, let language, let text):
            return publishCaption(caption, language: language, text: text)
        case .speech(let chunk):
            return publishAudio(chunk)
        case .failure(let stage, let error):
            reportEngineFailure(stage: stage, error: error)
        case .storageHeld:
            reportStorageTrouble()
        case .flushed(let token):
            pipeline?.didFlush(token)
        }
        return .none
    }

    /// A chunk of the speaker's voice: to the listeners of the session's own language as it is
    /// (floor audio), and into the pipeline. The caller queues the frames.
    func receiveSpeakerAudio(_ samples: [Int16], sampleRate: Int) -> Deliveries {
        let floor = relayFloorAudio(samples, sampleRate: sampleRate)
        pipeline?.send(.audio(samples, sampleRate: sampleRate))
        return floor
    }

    /// Sends a caption to the listeners of `language` (and, in the source language, to the
    /// speakers, as their own live captions), unless the broadcast is paused or muted.
    private func publishCaption(_ caption: Caption, language: LanguageCode, text: String) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        let started = ContinuousClock.now
        let sequence = state.takeSequence(language)
        let frame = caption.message(sessionId: id, language: language, text: text, sequence: sequence).encoded()
        if caption.isFinal { state.remember(final: frame, sequence: sequence, language: language) }
        var deliveries = Deliveries()
        deliveries.add(frame, to: state.listeners.listeners(of: language).keys)
        relay(.caption, language: language, sequence: sequence, text: frame, isFinal: caption.isFinal)
        if language == record.sourceLanguage {
            deliveries.add(frame, to: state.speakers.union(state.booths.connections))
        }
        ServerMetrics.stageDuration(.fanout).recordElapsed(since: started)
        return deliveries
    }

    /// Sends a chunk of synthesized speech, already scaled to the speaker's volume, to the
    /// listeners of its language who are listening, unless the broadcast is paused or muted: as
    /// `audioData` PCM, or as one binary frame of `opusPackets` (the same chunk, encoded; `nil`
    /// when the segment is not encoded because no listener asked for Opus when it began).
    /// Both forms of a chunk take the same `sequence`.
    private func publishAudio(_ chunk: SpeechChunk) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        // Synthesized speech still being paced out stops when a person takes the language over.
        if chunk.voice == .machine, state.voice(of: chunk.language) != .machine { return .none }
        let started = ContinuousClock.now
        let sequence = state.takeSequence(chunk.language)
        var pcmListeners: [ClientConnection] = []
        var opusListeners: [ClientConnection] = []
        for (connection, slot) in state.listeners.listeners(of: chunk.language) where slot.wantsAudio {
            switch slot.audioFormat {
            case .pcm: pcmListeners.append(connection)
            case .opus: opusListeners.append(connection)
            }
        }
        let remote = state.remoteListeners[chunk.language] ?? ListenerTally()
        // Each form is encoded once, if anyone here or elsewhere wants it.
        let pcmFrame = pcmListeners.isEmpty && remote.pcmListeners == 0 ? nil : chunk.pcmMessage(sessionId: id, sequence: sequence).encoded()
        // `nil` when the segment was not encoded: no listener asked for Opus when it began.
        let opusFrame = opusListeners.isEmpty && remote.opusListeners == 0 ? nil : chunk.opusFrame(sequence: sequence)
        var deliveries = Deliveries()
        if let pcmFrame { deliveries.add(audio: .text(pcmFrame), to: pcmListeners) }
        if let opusFrame { deliveries.add(audio: .binary(opusFrame), to: opusListeners) }
        // The listeners of other nodes get the same frames through the cluster.
        if remote.pcmListeners > 0, let pcmFrame {
            relay(.pcmAudio, language: chunk.language, sequence: sequence, text: pcmFrame)
        }
        if remote.opusListeners > 0, let opusFrame {
            cluster?.relay(
                RelayedFrame(sessionId: id, audience: .opusAudio, language: chunk.language.rawValue, sequence: sequence, payload: Array(buffer: opusFrame)))
        }
        ServerMetrics.stageDuration(.fanout).recordElapsed(since: started)
        return deliveries
    }

    /// The speaker's own voice, relayed as it arrives to the listeners of the session's own
    /// language (floor audio): no recognition or synthesis on its way, one encoding per format for
    /// all of them, one chunk for each chunk the speaker sent.
    private func relayFloorAudio(_ samples: [Int16], sampleRate: Int) -> Deliveries {
        relayLiveVoice(samples, sampleRate: sampleRate, through: &floorChannel)
    }

    /// Sends a chunk of a person's voice to the listeners of the channel's language, here and on
    /// the other nodes, unless the broadcast is paused or muted or nobody there is listening.
    func relayLiveVoice(_ samples: [Int16], sampleRate: Int, through channel: inout LiveVoiceChannel) -> Deliveries {
        guard state.broadcast.isFlowing else { return .none }
        // This runs for every chunk a person sends: look, do not copy.
        let local = state.listeners.listeners(of: channel.language).values
        let remote = state.remoteListeners[channel.language] ?? ListenerTally()
        guard local.contains(where: \.wantsAudio) || remote.pcmListeners + remote.opusListeners > 0 else { return .none }
        let volume = state.broadcast.volume
        let scaled = volume == 1 ? samples : PCM.scaled(samples, by: volume)
        let wantsOpus = local.contains { $0.wantsAudio && $0.audioFormat == .opus } || remote.opusListeners > 0
        let (chunk, encodingError) = channel.chunk(scaled, sampleRate: sampleRate, encodeOpus: wantsOpus, bitrate: settings.opusBitrate)
        if let encodingError {
            logger.error("Could not encode a live voice", metadata: ["voice": "\(channel.voice)", "error": "\(encodingError)"])
        }
        return publishAudio(chunk)
    }

    /// An engine failed: the session goes on with the next segment; the speaker is told.
    func reportEngineFailure(stage: String, error: any Error) {
        logger.error("Engine failure", metadata: ["stage": "\(stage)", "error": "\(error)"])
        ServerMetrics.engineFailures(stage).increment()
        let message = ServerMessage.error(
            ProtocolError(.engineFailure, "The \(stage) engine failed; the session goes on with the next segment."), sessionId: id)
        for speaker in state.speakers { speaker.send(message) }
    }

    /// The store refused a part of the transcript, which is held and retried: the speakers are
    /// told, once a minute at most while it lasts, that captions go on and will be saved.
    func reportStorageTrouble() {
        let now = clock.seconds
        guard now - (storageTroubleToldAt ?? -.infinity) >= 60 else { return }
        storageTroubleToldAt = now
        let message = ServerMessage.error(
            ProtocolError(
                .storageUnavailable,
                "The transcript cannot be saved just now; captions go on, and what they say is saved when the database is back."),
            sessionId: id)
        for speaker in state.speakers { speaker.send(message) }
    }

    // MARK: Status

    /// The status now, as `sessionStatus` carries it.
    func statusMessage(reason: StatusUpdateReason) -> ServerMessage {
        let status = SessionStatusReport(
            distribution: state.wholeDistribution, sessionDuration: max(0, Int(Date().timeIntervalSince(record.createdAt))),
            broadcastState: state.broadcast, updateReason: reason, voices: voicesOnAir)
        return ServerMessage(.sessionStatus(status), sessionId: id)
    }

    /// Sends a status to every speaker connection and remembers the count it carried.
    func sendStatus(reason: StatusUpdateReason) {
        guard !state.speakers.isEmpty else { return }
        let message = statusMessage(reason: reason).encoded()
        for speaker in state.speakers { speaker.send(text: message) }
        state.statusWasSent()
    }

    /// Answers one speaker's `getSessionStatus`.
    func requestedStatus() -> ServerMessage {
        state.statusWasSent()
        return statusMessage(reason: .requested)
    }
}
