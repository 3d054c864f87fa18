import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// `/ws`: admits connections by their query and credentials (docs/protocol.md, "Connecting") and routes their frames.
///
/// A class, though it holds only constants: every connection's handler and tasks refer to it, and
/// as a value (the settings alone are close to a kilobyte) each of them carried a copy, in async
/// frames that a connection's task keeps for as long as the connection lives.
final class WebSocketGateway: Sendable {
    let registry: SessionRegistry
    let catalog: LanguageCatalog
    let authenticator: Authenticator
    let settings: ServerConfiguration
    let failedConnects: FailedConnectLimiter
    let addressGuard: AddressGuard
    /// Units of speech served to the replaced design's current listener app (`translatedAudio`).
    let speechUnits: SpeechUnits
    /// Who the client of a request is, behind trusted proxies.
    let addresses: ClientAddressResolver
    /// The one timer that pings every connection.
    let pings: PingTimer
    /// What the rate limits of connects and of each connection's messages read the time from.
    let clock: any MonotonicClock
    let logger: Logger

    init(
        registry: SessionRegistry, catalog: LanguageCatalog, authenticator: Authenticator, settings: ServerConfiguration,
        clock: any MonotonicClock = .system, logger: Logger
    ) {
        self.registry = registry
        self.catalog = catalog
        self.authenticator = authenticator
        self.settings = settings
        self.clock = clock
        self.failedConnects = FailedConnectLimiter(perMinute: settings.failedConnectsPerMinute, clock: clock)
        self.addressGuard = AddressGuard(settings: settings, clock: clock)
        self.speechUnits = SpeechUnits(clock: clock)
        self.addresses = ClientAddressResolver(settings: settings)
        self.pings = PingTimer(interval: settings.webSocketPingInterval)
        self.logger = logger
    }

    /// The upgrade route, on the router that decides WebSocket upgrades. `RefusedUpgradeGate` has
    /// already turned connects refused with an HTTP status into plain requests for the route
    /// below; the rest are checked again after the upgrade, where a refusal is an `error`.
    func addUpgradeRoute(to router: Router<DragomanRequestContext>) {
        router.ws("/ws") { request, _ in
            .upgrade(SubprotocolCredentials.answer(offered: request.headers[values: .secWebSocketProtocol]))
        } onUpgrade: { inbound, outbound, context in
            try await self.serve(
                inbound: inbound, outbound: outbound, request: context.request, channel: context.requestContext.channel, logger: context.logger)
        }
    }

    /// The HTTP answer to a `/ws` request that was not upgraded: why, as a status.
    func addRefusalRoute(to router: Router<DragomanRequestContext>) {
        router.get("/ws") { request, context -> Response in
            if let reason = request.headers[HTTPField.Name(RefusedUpgradeGate.reasonHeader)!].flatMap(UpgradeRefusal.init(rawValue:)) {
                throw HTTPError(reason.status, message: reason.message)
            }
            let address = self.addresses.clientAddress(of: request, context: context)
            if let tooMany = await self.failedConnects.refusal(address) {
                ServerMetrics.rateLimitRejections("failedConnects").increment()
                throw tooMany
            }
            do throws(ConnectRefusal) {
                _ = try await self.admit(query: try Self.connectParameters(of: request))
            } catch let refusal {
                if refusal.isFailedGuess { await self.failedConnects.recordFailure(address) }
                let status = refusal.httpStatus ?? .badRequest
                let headers: HTTPFields = status == .serviceUnavailable ? [.retryAfter: String(StoreUnavailable.retryAfterSeconds)] : [:]
                throw HTTPError(status, headers: headers, message: refusal.error.message)
            }
            throw HTTPError(.upgradeRequired, message: "Connect with a WebSocket client.")
        }
    }

    /// A connect's parameters: its query, with the credentials its `Sec-WebSocket-Protocol` carries.
    static func connectParameters(of request: Request) throws(ConnectRefusal) -> [String: String] {
        try SubprotocolCredentials.parameters(query: request.uri.formQuery, offered: request.headers[values: .secWebSocketProtocol])
    }

    // MARK: Connection

    /// Serves one connection until it closes. An error of the inbound stream (a protocol
    /// violation such as invalid UTF-8) is rethrown after the session let go of the connection,
    /// so the WebSocket layer closes with its code (1007, 1002).
    private func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, channel: any Channel, logger: Logger
    ) async throws {
        let query: [String: String]
        let admission: Admission
        do throws(ConnectRefusal) {
            query = try Self.connectParameters(of: request)
            admission = try await admit(query: query)
        } catch {
            try? await outbound.write(.text(ServerMessage.error(error.error, sessionId: nil).encoded()))
            try? await outbound.close(LegacyDialect.refusalCloseCode(error.error, query: request.uri.formQuery), reason: error.error.message)
            return
        }
        let role: Role
        switch admission {
        case .newSession, .speaker: role = .speaker
        case .listener: role = .listener
        case .interpreter: role = .interpreter
        }
        // A peer that ignores the close is hung up on: the socket is gone `closeGrace` after
        // Dragoman decided to close, whatever the peer does.
        let connection = ClientConnection(role: role, queueLimit: settings.outboundQueueLimit) {
            channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
        }
        pings.watch(channel)
        // The replaced design's speakers end their session by closing their socket normally: only
        // their close frames are read (docs/protocol.md, "Clients of the replaced design").
        let peerClose =
            role == .speaker && LegacyDialect.closingEndsSession(urlQuery: request.uri.formQuery) ? PeerCloseCode(watching: channel) : nil
        var inboundError: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            let legacyFrames = legacyListenerFrames(query: query, role: role, host: request.head.authority)
            group.addTask { await Self.write(connection, to: outbound, legacyFrames: legacyFrames) }
            if settings.maxConnectionAge > 0 {
                group.addTask { await self.enforceMaximumAge(of: connection) }
            }
            var handler = await attachInChildTask(connection, admission: admission, query: query, host: request.head.authority)
            let attached = handler != nil
            if attached {
                let connections = ServerMetrics.connections(role)
                connections.increment()
                defer { connections.decrement() }
                do {
                    for try await message in inbound.messages(maxSize: settings.maxMessageBytes * 2) {
                        // Once closing, the peer's frames are read (its close ends the loop) but
                        // never acted on.
                        guard connection.pendingClose == nil else { continue }
                        await handler?.handle(message)
                    }
                } catch {
                    logger.debug("WebSocket closed with an error", metadata: ["error": "\(error)"])
                    inboundError = error
                }
                // Such a speaker ends its session only by a close of its own, never by its answer to
                // one of Dragoman's (maximum age, revoked key, shutdown), which may be 1000.
                await handler?.detach(endingSession: connection.pendingClose == nil && peerClose?.value == .normalClosure)
                handler = nil
            }
            connection.finish()
            // A refused attach queued an error and a close: let the writer send them first.
            if !attached { await group.next() }
            group.cancelAll()
        }
        if let inboundError { throw inboundError }
    }

    /// How long a peer has to answer Dragoman's close before the socket is closed under it.
    static let closeGrace: TimeAmount = .seconds(3)

    /// Writes queued frames until the queue ends, then the close, when Dragoman closed; text
    /// frames in the replaced design's dialect where the client connected in it.
    private static func write(_ connection: ClientConnection, to outbound: WebSocketOutboundWriter, legacyFrames: LegacyListenerFrames?) async {
        var legacyFrames = legacyFrames
        for await frame in connection.outbound {
            connection.didTakeFrame()
            do {
                switch frame {
                case .text(let text):
                    for text in await legacyFrames?.frames(for: text) ?? [text] { try await outbound.write(.text(text)) }
                case .binary(let buffer): try await outbound.write(.binary(buffer))
                }
            } catch {
                return
            }
        }
        if let close = connection.pendingClose {
            try? await outbound.close(close.code, reason: close.reason)
        }
    }

    /// `attach` in a child task of its own, which ends with it. Joining a session is the deepest a
    /// connection's calls go (the session's actor, the greeting built and encoded), and a task
    /// keeps the memory of its deepest async frames for as long as it lives: in the connection's
    /// own task, every idle listener held it for the whole talk. (Admission, in a child task too,
    /// measured no better.)
    private func attachInChildTask(_ connection: ClientConnection, admission: Admission, query: [String: String], host: String?) async -> ConnectionHandler? {
        async let handler = attach(connection, admission: admission, query: query, host: host)
        return await handler
    }

    /// Joins the connection to its session and sends its first message; `nil` when that failed.
    private func attach(_ connection: ClientConnection, admission: Admission, query: [String: String], host: String?) async -> ConnectionHandler? {
        let session: LiveSession
        let firstMessage: ServerMessage
        let sampleRate = query["sampleRate"].map { Int($0) ?? 0 } ?? PCM.speechSampleRate
        // `nil` for a value that is not a format; speakers' is ignored.
        let audioFormat = query["audioFormat"].map { ListenerAudioFormat(rawValue: $0) } ?? .pcm
        do {
            guard connection.role == .listener || AudioContainer.acceptedSampleRates.contains(sampleRate) else {
                throw ProtocolError(.invalidAudioFormat, "sampleRate must be a whole number of Hz from 8000 to 48000.", action: "createSession")
            }
            guard connection.role != .listener || audioFormat != nil else {
                throw ProtocolError(.invalidAudioFormat, "audioFormat must be \"pcm\" or \"opus\".", action: query["action"])
            }
            switch admission {
            case .newSession(let key, .createSession(let source, _, _, let title, let tier, let targets)):
                session = try await registry.create(
                    title: title ?? "Live session", speakerName: nil, sourceLanguage: source, targetLanguages: targets, passcode: nil, owner: key,
                    qualityTier: tier)
                firstMessage = try await attachSpeaker(connection, to: session) { self.sessionCreated(session.record, $0, host: host) }
            case .speaker(_, let existing, let request):
                session = existing
                firstMessage = try await attachSpeaker(connection, to: session, action: request.action) { snapshot in
                    request.action == "createSession"
                        ? self.sessionCreated(session.record, snapshot, host: host)
                        : self.refreshComplete(session.record, snapshot, role: .speaker, language: nil)
                }
            case .listener(let existing, let language, let request):
                session = existing
                firstMessage = try await session.addListener(
                    connection, language: language, captionsOnly: query["captionsOnly"] == "true", audioFormat: audioFormat ?? .pcm,
                    resume: Self.resumePoint(query)
                ) { snapshot in
                    request.action == "joinSession"
                        ? sessionJoined(session.record, snapshot, language: language)
                        : refreshComplete(session.record, snapshot, role: .listener, language: language)
                }
            case .interpreter(let existing, let pass, let muted):
                session = existing
                let greeting = { @Sendable (snapshot: LiveSession.Snapshot) in self.interpreterJoined(session.record, snapshot, pass: pass, muted: muted) }
                guard let message = await session.attachInterpreter(connection, pass: pass, muted: muted, greeting: greeting) else {
                    throw ProtocolError(.sessionEnded, "Session \(session.id) has ended.", action: "interpretSession")
                }
                firstMessage = message
            case .newSession:
                throw ProtocolError(.internal, "Unexpected connect.")
            }
        } catch {
            let refusal = (error as? ProtocolError) ?? ProtocolError(.internal, "The session could not be opened.")
            connection.send(.error(refusal, sessionId: nil))
            connection.close(LegacyDialect.refusalCloseCode(refusal, query: query), reason: refusal.message)
            return nil
        }
        logger.info("Client connected", metadata: ["sessionId": "\(session.id)", "role": "\(connection.role)"])
        var handler = ConnectionHandler(
            connection: connection, session: session, gateway: self, firstMessage: firstMessage, sampleRate: sampleRate)
        if connection.role == .speaker, LegacyDialect.isLegacy(query) { handler.audioQuality = LegacyAudioQuality() }
        return handler
    }

    /// Where a reconnecting listener left off: `epoch` and `since` (the last `sequence` it got).
    private static func resumePoint(_ query: [String: String]) -> LiveSession.ResumePoint? {
        guard let epoch = query["epoch"], let since = query["since"].flatMap({ Int($0) }), since >= 0 else { return nil }
        return LiveSession.ResumePoint(epoch: epoch, sequence: since)
    }

    /// Attaches a speaker; its first message is queued before anything else can be.
    private func attachSpeaker(
        _ connection: ClientConnection, to session: LiveSession, action: String = "createSession",
        greeting: @escaping @Sendable (LiveSession.Snapshot) -> ServerMessage
    ) async throws(ProtocolError) -> ServerMessage {
        guard await session.takeSpeakerLease() else {
            throw ProtocolError(.internal, "The speaker of session \(session.id) is connected to another node; try again.", action: action)
        }
        guard let message = await session.attachSpeaker(connection, greeting: greeting) else {
            throw ProtocolError(.sessionEnded, "Session \(session.id) has ended.", action: action)
        }
        return message
    }

    private func sessionCreated(_ record: SessionRecord, _ snapshot: LiveSession.Snapshot, host: String?) -> ServerMessage {
        ServerMessage(
            .sessionCreated(
                SessionCreated(
                    title: record.title, sourceLanguage: record.sourceLanguage, qualityTier: record.qualityTier ?? "standard", status: snapshot.status,
                    broadcastState: snapshot.broadcastState, joinUrl: settings.joinURL(for: record.id, authority: host),
                    availableLanguages: catalog.deliverable(from: record.sourceLanguage))),
            sessionId: record.id)
    }

    private func sessionJoined(_ record: SessionRecord, _ snapshot: LiveSession.Snapshot, language: LanguageCode) -> ServerMessage {
        // `addListener` always gives a listener's stream position and voice.
        let joined = SessionJoined(
            targetLanguage: language, sourceLanguage: record.sourceLanguage, title: record.title, status: snapshot.status,
            broadcastState: snapshot.broadcastState, stream: snapshot.stream!, voice: snapshot.voice!.onAir, speakerName: record.speakerName)
        return ServerMessage(.sessionJoined(joined), sessionId: record.id)
    }

    private func interpreterJoined(_ record: SessionRecord, _ snapshot: LiveSession.Snapshot, pass: InterpreterPass, muted: Bool) -> ServerMessage {
        let voice = snapshot.voice ?? .machine
        let joined = InterpreterJoined(
            interpreterId: pass.id, name: pass.name, targetLanguage: pass.language, sourceLanguage: record.sourceLanguage, title: record.title,
            status: snapshot.status, broadcastState: snapshot.broadcastState, muted: muted, onAir: voice.interpreter?.id == pass.id && !muted,
            voice: voice.onAir.voice, interpreter: voice.onAir.interpreter)
        return ServerMessage(.interpreterJoined(joined), sessionId: record.id)
    }

    func refreshComplete(_ record: SessionRecord, _ snapshot: LiveSession.Snapshot, role: Role, language: LanguageCode?) -> ServerMessage {
        let complete = ConnectionRefreshComplete(
            role: role, status: snapshot.status, broadcastState: snapshot.broadcastState, targetLanguage: language, stream: snapshot.stream,
            voice: snapshot.voice?.onAir)
        return ServerMessage(.connectionRefreshComplete(complete), sessionId: record.id)
    }

    /// Where a maximum connection age is configured: warn, then ask for a refresh, then close.
    private func enforceMaximumAge(of connection: ClientConnection) async {
        let age = settings.maxConnectionAge
        let warningLead = min(300, age / 5)
        do {
            try await Task.sleep(for: .seconds(age - warningLead))
            connection.send(
                ServerMessage(
                    .connectionWarning(ConnectionWarning(remainingMinutes: Int((warningLead / 60).rounded(.up)), remainingSeconds: Int(warningLead))),
                    sessionId: nil))
            try await Task.sleep(for: .seconds(warningLead))
            connection.send(
                ServerMessage(
                    .connectionRefreshRequired(
                        ConnectionRefreshRequired(message: "The connection reached its maximum age; connect again with refreshConnection.")),
                    sessionId: nil))
            try await Task.sleep(for: .seconds(min(30, warningLead)))
            connection.close(.normalClosure, reason: "maximum connection age")
        } catch {}
    }
}
