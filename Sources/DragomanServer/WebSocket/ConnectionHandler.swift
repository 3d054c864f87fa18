import DragomanCore
import DragomanSpeech
import Foundation
import HummingbirdWebSocket
import NIOCore

/// The frames of one admitted connection: size and rate limits, role checks, then the action.
/// A bad frame gets an `error` and the connection stays open; only sustained abuse (1008) or a
/// frame over the absolute size limit (1009) closes it.
struct ConnectionHandler {
    let connection: ClientConnection
    let session: LiveSession
    let gateway: WebSocketGateway
    let firstMessage: ServerMessage
    /// The speaker's declared PCM rate (`sampleRate=`).
    let sampleRate: Int
    /// Where the speaker is the replaced design's app, what tells it of its audio's quality.
    var audioQuality: LegacyAudioQuality?

    private var audioChunks: TokenBucket
    private var controlMessages: TokenBucket
    private var statusQueries: TokenBucket
    private var abuse: TokenBucket
    private var settings: ServerConfiguration { gateway.settings }

    init(
        connection: ClientConnection, session: LiveSession, gateway: WebSocketGateway, firstMessage: ServerMessage, sampleRate: Int
    ) {
        self.connection = connection
        self.session = session
        self.gateway = gateway
        self.firstMessage = firstMessage
        self.sampleRate = sampleRate
        let settings = gateway.settings
        audioChunks = TokenBucket(rate: settings.audioChunksPerSecond)
        controlMessages = TokenBucket(rate: settings.controlMessagesPerSecond)
        statusQueries = TokenBucket(rate: settings.statusQueriesPerSecond)
        abuse = TokenBucket(rate: settings.abuseAllowance / 10, capacity: settings.abuseAllowance)
    }

    mutating func handle(_ message: WebSocketMessage) async {
        switch message {
        case .binary(let buffer):
            await handleAudioFrame(buffer)
        case .text(let text):
            await handleText(text)
        }
    }

    /// Leaves the session when the connection closes; `endingSession`: a speaker of the replaced
    /// design's dialect closed its socket normally, which ends the session if it was the last.
    func detach(endingSession: Bool) async {
        switch connection.role {
        case .speaker: await session.detachSpeaker(connection, endingSession: endingSession)
        case .listener: await session.removeListener(connection)
        case .interpreter: await session.detachInterpreter(connection)
        }
    }

    // MARK: Frames

    private mutating func handleAudioFrame(_ buffer: ByteBuffer) async {
        guard checkAbsoluteSize(buffer.readableBytes) else { return }
        guard connection.role != .listener else {
            return reject(ProtocolError(.forbidden, "Only the speaker and interpreters send audio.", action: "sendAudio"))
        }
        guard takeAudioToken() else { return }
        await ingest(pcm: Data(buffer.readableBytesView), action: "sendAudio")
    }

    private mutating func handleText(_ text: String) async {
        let size = text.utf8.count
        guard checkAbsoluteSize(size) else { return }
        // Every text frame of a listener is a control message: its rate and size are checked
        // before it is parsed at all, so the most numerous (and anonymous) clients cannot make
        // the server decode JSON at will.
        let isListener = connection.role == .listener
        if isListener {
            guard takeControlToken(action: nil), checkControlSize(size, action: nil) else { return }
        }
        guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            guard isListener || takeControlToken(action: nil) else { return }
            return reject(ProtocolError(.invalidMessage, "The message is not valid JSON."))
        }
        let action = ClientMessage.actionName(of: object)
        if !isListener {
            if let action, ClientMessage.audioActions.contains(action) {
                guard takeAudioToken() else { return }
            } else {
                guard takeControlToken(action: action), checkControlSize(size, action: action) else { return }
            }
        }
        let parsed: ClientMessage
        do {
            parsed = try ClientMessage.parse(object)
        } catch {
            return reject(error)
        }
        guard parsed.allowedRoles.contains(connection.role) else {
            return reject(ProtocolError(.forbidden, "A \(connection.role.rawValue) cannot \(action ?? "do that").", action: action))
        }
        await perform(parsed)
    }

    private mutating func perform(_ message: ClientMessage) async {
        switch message {
        case .sendAudio(let base64):
            guard let pcm = Data(base64Encoded: base64) else {
                return reject(ProtocolError(.invalidAudioFormat, "audioData must be base64 PCM s16le mono.", action: "sendAudio"))
            }
            await ingest(pcm: pcm, action: "sendAudio")
        case .pauseBroadcast: await session.apply(.pause)
        case .resumeBroadcast: await session.apply(.resume)
        case .muteBroadcast: await session.apply(.mute)
        case .unmuteBroadcast: await session.apply(.unmute)
        case .setVolume(let level): await session.apply(.volume(level))
        case .speakerStateChange(let state): await session.apply(.state(state))
        case .getSessionStatus:
            guard statusQueries.take(now: gateway.clock.seconds) else {
                ServerMetrics.rateLimitRejections("statusQueries").increment()
                return reject(
                    ProtocolError(
                        .rateLimitExceeded, "At most \(Self.format(settings.statusQueriesPerSecond)) status queries a second.", action: "getSessionStatus"))
            }
            await answerStatusQuery()
        case .changeLanguage(let language):
            guard gateway.catalog.canDeliver(language, from: session.record.sourceLanguage) else {
                return reject(ProtocolError(.unsupportedLanguage, "This session is not available in \"\(language)\".", action: "changeLanguage"))
            }
            await session.changeLanguage(of: connection, to: language)
        case .pausePlayback:
            await session.setPlaybackPaused(true, for: connection)
            connection.send(ServerMessage(.playbackPaused, sessionId: session.id))
        case .resumePlayback:
            await session.setPlaybackPaused(false, for: connection)
            connection.send(ServerMessage(.playbackResumed, sessionId: session.id))
        case .muteInterpreter, .unmuteInterpreter:
            let muted = message == .muteInterpreter
            await session.setInterpreterMuted(muted, for: connection)
            let state = InterpreterMuteState(muted: muted)
            connection.send(ServerMessage(muted ? .interpreterMuted(state) : .interpreterUnmuted(state), sessionId: session.id))
        case .heartbeat:
            connection.send(ServerMessage(.heartbeatAck, sessionId: session.id))
        case .repeatConnect("refreshConnection") where connection.role != .interpreter:
            await answerRefresh()
        case .repeatConnect(let action):
            let matchesRole =
                action == "refreshConnection"
                || (action == "createSession" && connection.role == .speaker)
                || (action == "joinSession" && connection.role == .listener)
                || (action == "interpretSession" && connection.role == .interpreter)
            guard matchesRole else {
                return reject(ProtocolError(.forbidden, "A \(connection.role.rawValue) cannot \(action).", action: action))
            }
            var repeated = firstMessage
            repeated.timestamp = UnixTime.now
            connection.send(repeated)
        case .audioChunk(let chunk):
            await ingest(chunk)
        case .endSession:
            await session.end(.endedBySpeaker)
        case .controlSession(let command):
            await session.apply(command == .pause ? .pause : .resume)
        }
    }

    /// Answers within the configured budget, or says it could not.
    private func answerStatusQuery() async {
        let session = session
        let budget = settings.statusAnswerBudget
        let status = await withTaskGroup(of: ServerMessage?.self) { group in
            group.addTask { await session.requestedStatus() }
            group.addTask {
                try? await Task.sleep(for: .seconds(budget))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        connection.send(status ?? .error(ProtocolError(.internal, "The status was not ready in time.", action: "getSessionStatus"), sessionId: session.id))
    }

    /// Accepts speaker audio: PCM s16le mono at the declared rate, of at most `limit` bytes
    /// (`maxAudioChunkBytes` unless the message's own size already bounds it).
    mutating func ingest(pcm: Data, action: String, sampleRate: Int? = nil, limit: Int? = nil) async {
        let sampleRate = sampleRate ?? self.sampleRate
        let limit = limit ?? settings.maxAudioChunkBytes
        guard pcm.count <= limit else {
            return reject(ProtocolError(.payloadTooLarge, "Audio chunks are limited to \(limit) bytes.", action: action))
        }
        guard !pcm.isEmpty, pcm.count % 2 == 0, !AudioContainer.isEncoded(pcm) else {
            return reject(
                ProtocolError(
                    .invalidAudioFormat, "Audio must be raw PCM s16le mono at \(sampleRate) Hz, not a file or an encoded stream.", action: action))
        }
        let samples = PCM.samples(fromLittleEndian: pcm)
        reportQuality(of: samples, sampleRate: sampleRate)
        if connection.role == .interpreter {
            return await session.relayInterpreterAudio(samples, sampleRate: sampleRate, from: connection).send()
        }
        // Never waits for recognition: the pipeline takes the audio in order, on its own task.
        await session.receiveSpeakerAudio(samples, sampleRate: sampleRate).send()
    }

    // MARK: Limits

    /// Frames over the absolute limit get an error and close the connection (1009).
    private func checkAbsoluteSize(_ size: Int) -> Bool {
        guard size > settings.maxMessageBytes else { return true }
        connection.send(.error(ProtocolError(.payloadTooLarge, "Messages are limited to \(settings.maxMessageBytes) bytes."), sessionId: session.id))
        connection.close(.messageTooLarge, reason: "message too large")
        return false
    }

    /// Control messages over `maxControlMessageBytes` get an error (the connection stays).
    private mutating func checkControlSize(_ size: Int, action: String?) -> Bool {
        guard size > settings.maxControlMessageBytes else { return true }
        reject(ProtocolError(.payloadTooLarge, "Control messages are limited to \(settings.maxControlMessageBytes) bytes.", action: action))
        return false
    }

    private mutating func takeAudioToken() -> Bool {
        guard connection.role != .listener else { return true }
        guard audioChunks.take(now: gateway.clock.seconds) else {
            ServerMetrics.rateLimitRejections("audioChunks").increment()
            reject(ProtocolError(.rateLimitExceeded, "At most \(Self.format(settings.audioChunksPerSecond)) audio chunks a second.", action: "sendAudio"))
            return false
        }
        return true
    }

    private mutating func takeControlToken(action: String?) -> Bool {
        guard controlMessages.take(now: gateway.clock.seconds) else {
            ServerMetrics.rateLimitRejections("controlMessages").increment()
            reject(ProtocolError(.rateLimitExceeded, "At most \(Self.format(settings.controlMessagesPerSecond)) control messages a second.", action: action))
            return false
        }
        return true
    }

    /// Reports a bad frame; closes the connection when bad frames keep coming (1008).
    mutating func reject(_ error: ProtocolError) {
        connection.send(.error(error, sessionId: session.id))
        if !abuse.take(now: gateway.clock.seconds) {
            ServerMetrics.rateLimitRejections("abuse").increment()
            connection.close(.policyViolation, reason: "too many rejected messages")
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
