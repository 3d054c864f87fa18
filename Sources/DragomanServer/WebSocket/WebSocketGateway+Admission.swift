import DragomanCore
import DragomanStore
import Hummingbird

extension WebSocketGateway {
    /// Who is connecting, to what, once every check has passed.
    enum Admission {
        case newSession(KeyRecord, ConnectRequest)
        case speaker(KeyRecord, LiveSession, ConnectRequest)
        case listener(LiveSession, LanguageCode, ConnectRequest)
        case interpreter(LiveSession, InterpreterPass, muted: Bool)
    }

    /// Checks a connect without changing anything, so it can run before and after the upgrade.
    func admit(query: [String: String]) async throws(ConnectRefusal) -> Admission {
        let query = await resolvingOriginal(LegacyDialect.inferringAction(query))
        let request: ConnectRequest
        do {
            request = try ConnectRequest(query: query)
        } catch {
            // A session id that cannot exist is answered like an unknown one.
            throw ConnectRefusal(httpStatus: error.code == .sessionNotFound ? .notFound : nil, error: error)
        }
        switch request {
        case .createSession(let source, let token, let sessionId, _, _, _):
            let key = try await speakerKey(token)
            guard let sessionId else {
                guard catalog.canRecognize(source) else {
                    throw ConnectRefusal(
                        error: ProtocolError(.unsupportedLanguage, "Speech in \"\(source)\" cannot be recognized here.", action: request.action))
                }
                return .newSession(key, request)
            }
            return .speaker(key, try await ownSession(sessionId, key: key, action: request.action), request)
        case .refreshSpeaker(let sessionId, let token):
            let key = try await speakerKey(token)
            return .speaker(key, try await ownSession(sessionId, key: key, action: request.action), request)
        case .joinSession(let sessionId, let language, let passcode), .refreshListener(let sessionId, let language, let passcode):
            let session = try await openSession(sessionId, action: request.action)
            if let hash = session.record.passcodeHash {
                guard let passcode, Secrets.passcode(passcode, matches: hash) else {
                    throw ConnectRefusal(httpStatus: .unauthorized, error: ProtocolError(.unauthorized, "The passcode is not right.", action: request.action))
                }
            }
            guard catalog.canDeliver(language, from: session.record.sourceLanguage) else {
                throw ConnectRefusal(error: ProtocolError(.unsupportedLanguage, "This session is not available in \"\(language)\".", action: request.action))
            }
            return .listener(session, language, request)
        case .interpretSession(let sessionId, let token, let muted):
            let pass = try await interpreterPass(token)
            let session = try await openSession(sessionId, action: request.action)
            guard pass.sessionId == session.id else {
                throw ConnectRefusal(
                    httpStatus: .forbidden, error: ProtocolError(.forbidden, "This interpreter link is for another session.", action: request.action))
            }
            return .interpreter(session, pass, muted: muted)
        }
    }

    /// `targetLanguage=original` is the session's own language: the speaker's voice (floor audio).
    private func resolvingOriginal(_ query: [String: String]) async -> [String: String] {
        guard query["targetLanguage"]?.lowercased() == "original", let id = query["sessionId"].flatMap(SessionID.normalize),
            case .live(let session) = try? await registry.lookup(id)
        else { return query }
        var resolved = query
        resolved["targetLanguage"] = session.record.sourceLanguage.rawValue
        return resolved
    }

    private func speakerKey(_ token: String) async throws(ConnectRefusal) -> KeyRecord {
        do {
            return try await authenticator.speaker(secret: token)
        } catch let unavailable as any TemporarilyUnavailable {
            throw Self.unavailable(unavailable, action: nil)
        } catch {
            throw ConnectRefusal(httpStatus: .unauthorized, error: ProtocolError(.unauthorized, "The speaker key is not valid."))
        }
    }

    private func interpreterPass(_ token: String) async throws(ConnectRefusal) -> InterpreterPass {
        let pass: InterpreterPass?
        do {
            pass = try await authenticator.store.interpreterPass(secret: token)
        } catch {
            throw Self.unavailable(action: "interpretSession")
        }
        guard let pass else {
            throw ConnectRefusal(
                httpStatus: .unauthorized,
                error: ProtocolError(.unauthorized, "The interpreter link is not valid, or it was revoked.", action: "interpretSession"))
        }
        return pass
    }

    /// The database or the sign-in provider did not answer: 503, which is not a failed guess
    /// (the refusal route adds `Retry-After`).
    private static func unavailable(_ unavailable: some TemporarilyUnavailable = StoreUnavailable(), action: String?) -> ConnectRefusal {
        ConnectRefusal(httpStatus: .serviceUnavailable, error: ProtocolError(.internal, unavailable.message, action: action))
    }

    private func ownSession(_ id: String, key: KeyRecord, action: String) async throws(ConnectRefusal) -> LiveSession {
        let session = try await openSession(id, action: action)
        guard session.record.ownerKeyID == key.id else {
            throw ConnectRefusal(httpStatus: .forbidden, error: ProtocolError(.forbidden, "This key does not own session \(id).", action: action))
        }
        return session
    }

    private func openSession(_ id: String, action: String) async throws(ConnectRefusal) -> LiveSession {
        let lookup: SessionRegistry.Lookup
        do {
            lookup = try await registry.lookup(id)
        } catch {
            throw Self.unavailable(action: action)
        }
        switch lookup {
        case .live(let session): return session
        case .ended: throw ConnectRefusal(httpStatus: .gone, error: ProtocolError(.sessionEnded, "Session \(id) has ended.", action: action))
        case .notFound: throw ConnectRefusal(httpStatus: .notFound, error: ProtocolError(.sessionNotFound, "There is no session \(id).", action: action))
        }
    }
}
