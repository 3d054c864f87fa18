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

/// `/ws`: admits connections by their query (PROTOCOL.md, "Connecting") and routes their frames.
struct WebSocketGateway: Sendable {
    let registry: SessionRegistry
    let catalog: LanguageCatalog
    let authenticator: Authenticator
    let settings: ServerConfiguration
    let failedConnects: FailedConnectLimiter
    let logger: Logger

    /// The upgrade route, on the router that decides WebSocket upgrades.
    func addUpgradeRoute(to router: Router<DragomanRequestContext>) {
        router.ws("/ws") { request, context in
            // Anything refused falls through to the HTTP route below, which answers with the status.
            guard await failedConnects.allows(context.clientAddress) else { return .dontUpgrade }
            do throws(ConnectRefusal) {
                _ = try await admit(query: request.queryDictionary)
            } catch {
                // Refusals without a status are answered after the upgrade, as an `error`.
                if error.httpStatus != nil { return .dontUpgrade }
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            await serve(inbound: inbound, outbound: outbound, request: context.request, logger: context.logger)
        }
    }

    /// The HTTP answer to a `/ws` request that was not upgraded: why, as a status.
    func addRefusalRoute(to router: Router<DragomanRequestContext>) {
        router.get("/ws") { request, context -> Response in
            guard await failedConnects.allows(context.clientAddress) else {
                throw HTTPError(.tooManyRequests, message: "Too many failed connects; try again in a minute.")
            }
            do throws(ConnectRefusal) {
                _ = try await admit(query: request.queryDictionary)
            } catch let refusal {
                if refusal.isFailedGuess { await failedConnects.recordFailure(context.clientAddress) }
                throw HTTPError(refusal.httpStatus ?? .badRequest, message: refusal.error.message)
            }
            throw HTTPError(.upgradeRequired, message: "Connect with a WebSocket client.")
        }
    }

    // MARK: Connection

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, logger: Logger) async {
        let query = request.queryDictionary
        let admission: Admission
        do throws(ConnectRefusal) {
            admission = try await admit(query: query)
        } catch {
            try? await outbound.write(.text(ServerMessage.error(error.error, sessionId: nil).encoded()))
            try? await outbound.close(.policyViolation, reason: error.error.message)
            return
        }
        let role: Role
        switch admission {
        case .newSession, .speaker: role = .speaker
        case .listener: role = .listener
        }
        let connection = ClientConnection(role: role, queueLimit: settings.outboundQueueLimit)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Self.write(connection.outbound, to: outbound) }
            if settings.maxConnectionAge > 0 {
                group.addTask { await enforceMaximumAge(of: connection) }
            }
            var handler = await attach(connection, admission: admission, query: query, host: request.head.authority)
            if handler != nil {
                do {
                    for try await message in inbound.messages(maxSize: settings.maxMessageBytes * 2) {
                        await handler?.handle(message)
                    }
                } catch {
                    logger.debug("WebSocket closed with an error", metadata: ["error": "\(error)"])
                }
                await handler?.detach()
                handler = nil
            }
            connection.finish()
            group.cancelAll()
        }
    }

    /// Writes queued frames until the queue ends or a close frame is written.
    private static func write(_ frames: AsyncStream<ClientConnection.Outbound>, to outbound: WebSocketOutboundWriter) async {
        for await frame in frames {
            do {
                switch frame {
                case .text(let text): try await outbound.write(.text(text))
                case .binary(let buffer): try await outbound.write(.binary(buffer))
                case .close(let code, let reason):
                    try await outbound.close(code, reason: reason)
                    return
                }
            } catch {
                return
            }
        }
    }

    /// Joins the connection to its session and sends its first message; `nil` when that failed.
    private func attach(_ connection: ClientConnection, admission: Admission, query: [String: String], host: String?) async -> ConnectionHandler? {
        let session: LiveSession
        let firstMessage: ServerMessage
        let sampleRate = query["sampleRate"].map { Int($0) ?? 0 } ?? PCM.speechSampleRate
        do {
            guard connection.role == .listener || AudioContainer.acceptedSampleRates.contains(sampleRate) else {
                throw ProtocolError(.invalidAudioFormat, "sampleRate must be a whole number of Hz from 8000 to 48000.", action: "createSession")
            }
            switch admission {
            case .newSession(let key, .createSession(let source, _, _, let title, let tier, let targets)):
                session = try await registry.create(
                    title: title ?? "Live session", sourceLanguage: source, targetLanguages: targets, passcode: nil, owner: key, qualityTier: tier)
                guard await session.attachSpeaker(connection) else { throw ProtocolError(.sessionEnded, "The session has ended.") }
                firstMessage = await sessionCreated(session, host: host)
            case .speaker(_, let existing, let request):
                session = existing
                guard await session.attachSpeaker(connection) else {
                    throw ProtocolError(.sessionEnded, "Session \(session.id) has ended.", action: request.action)
                }
                firstMessage = request.action == "createSession"
                    ? await sessionCreated(session, host: host)
                    : await refreshComplete(session, role: .speaker, language: nil)
            case .listener(let existing, let language, let request):
                session = existing
                try await session.addListener(connection, language: language, captionsOnly: query["captionsOnly"] == "true")
                firstMessage = request.action == "joinSession"
                    ? await sessionJoined(session, language: language)
                    : await refreshComplete(session, role: .listener, language: language)
            case .newSession:
                throw ProtocolError(.internal, "Unexpected connect.")
            }
        } catch {
            let refusal = (error as? ProtocolError) ?? ProtocolError(.internal, "The session could not be opened.")
            connection.send(.error(refusal, sessionId: nil))
            connection.close(.policyViolation, reason: refusal.message)
            return nil
        }
        connection.send(firstMessage)
        logger.info("Client connected", metadata: ["sessionId": "\(session.id)", "role": "\(connection.role)"])
        let pipeline = connection.role == .speaker ? await session.speechPipeline() : nil
        return ConnectionHandler(connection: connection, session: session, gateway: self, firstMessage: firstMessage, pipeline: pipeline, sampleRate: sampleRate)
    }

    private func sessionCreated(_ session: LiveSession, host: String?) async -> ServerMessage {
        let record = session.record
        return ServerMessage(
            type: "sessionCreated", sessionId: record.id,
            fields: [
                "title": .string(record.title),
                "sourceLanguage": .string(record.sourceLanguage.rawValue),
                "qualityTier": .string(record.qualityTier ?? "standard"),
                "status": .string(await session.status.rawValue),
                "broadcastState": await session.broadcastState.json,
                "joinUrl": .string(settings.joinURL(for: record.id, authority: host)),
                "availableLanguages": .array(catalog.deliverable(from: record.sourceLanguage).map { .string($0.rawValue) }),
            ])
    }

    private func sessionJoined(_ session: LiveSession, language: LanguageCode) async -> ServerMessage {
        let record = session.record
        return ServerMessage(
            type: "sessionJoined", sessionId: record.id,
            fields: [
                "targetLanguage": .string(language.rawValue),
                "sourceLanguage": .string(record.sourceLanguage.rawValue),
                "title": .string(record.title),
                "status": .string(await session.status.rawValue),
                "broadcastState": await session.broadcastState.json,
            ])
    }

    private func refreshComplete(_ session: LiveSession, role: Role, language: LanguageCode?) async -> ServerMessage {
        var fields: [String: JSONValue] = [
            "role": .string(role.rawValue),
            "status": .string(await session.status.rawValue),
            "broadcastState": await session.broadcastState.json,
        ]
        if let language { fields["targetLanguage"] = .string(language.rawValue) }
        return ServerMessage(type: "connectionRefreshComplete", sessionId: session.id, fields: fields)
    }

    /// Where a maximum connection age is configured: warn, then ask for a refresh, then close.
    private func enforceMaximumAge(of connection: ClientConnection) async {
        let age = settings.maxConnectionAge
        let warningLead = min(300, age / 5)
        do {
            try await Task.sleep(for: .seconds(age - warningLead))
            connection.send(ServerMessage(type: "connectionWarning", sessionId: nil, fields: [
                "remainingMinutes": .int(Int((warningLead / 60).rounded(.up))), "remainingSeconds": .int(Int(warningLead)),
            ]))
            try await Task.sleep(for: .seconds(warningLead))
            connection.send(ServerMessage(type: "connectionRefreshRequired", sessionId: nil, fields: [
                "message": "The connection reached its maximum age; connect again with refreshConnection.",
            ]))
            try await Task.sleep(for: .seconds(min(30, warningLead)))
            connection.close(.normalClosure, reason: "maximum connection age")
        } catch {}
    }
}

extension Request {
    /// The query parameters, decoded; the first of a repeated name wins.
    var queryDictionary: [String: String] {
        Dictionary(uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
    }
}
