import DragomanCore
import Foundation
import NIOCore
import NIOWebSocket
import Synchronization
import Testing

@testable import DragomanServer

/// Dead peers and peers that ignore a close (issue 14, items 13 and 3): one timer pings every
/// connection and drops the silent ones; once Dragoman closes, nothing more from the peer is
/// acted on and the socket is gone within seconds; a close is never lost behind a full queue.
@Suite("Closing connections")
struct ConnectionCloseTests {
    @Test("every connection is pinged each webSocketPingInterval; one that never answers is dropped after two intervals, one that answers stays")
    func silentPeersAreDropped() async throws {
        // Two seconds, so a client slowed down by a loaded machine still answers in time.
        try await TestServer.run(configure: { $0.webSocketPingInterval = 2 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let polite = try await server.listener(sessionId).client
            let join = server.webSocketPath(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            let deaf = WebSocketTestClient(port: server.port, path: join, manners: .init(answersPings: false))
            try await deaf.expect("sessionJoined")
            let joinedAt = ContinuousClock.now
            let ending = try await deaf.ending(timeout: .seconds(10))
            let lasted = ContinuousClock.now - joinedAt
            guard case .closed = ending else {
                Issue.record("the silent peer's connection ended with \(ending)")
                return
            }
            #expect(lasted < .seconds(12), "dropped after \(lasted)")
            #expect(deaf.pings >= 1)
            // The listener that answered every ping is still served.
            #expect(polite.pings >= 2)
            let answered = try await polite.barrier()
            #expect(answered.isEmpty)
            withExtendedLifetime(speaker) {}
        }
    }

    @Test("a peer that ignores Dragoman's close is not answered any more, and its socket is gone within a few seconds")
    func ignoredClosesAreEnforced() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let join = server.webSocketPath(["action": "joinSession", "sessionId": sessionId, "targetLanguage": "es"])
            let stubborn = WebSocketTestClient(port: server.port, path: join, manners: .init(answersClose: false))
            try await stubborn.expect("sessionJoined")
            let ended = try await server.http(.DELETE, "/v1/sessions/\(sessionId)", key: server.keys.speaker)
            #expect(ended.code == 204)
            try await stubborn.waitFor("sessionEnded")
            let closedAt = ContinuousClock.now
            for _ in 0..<5 { stubborn.send(action: "heartbeat") }
            let ending = try await stubborn.ending(timeout: .seconds(10))
            #expect(ContinuousClock.now - closedAt < .seconds(6))
            guard case .closed(let code) = ending else {
                Issue.record("the connection ended with \(ending)")
                return
            }
            #expect(code == .normalClosure)
            let late = try? await stubborn.next(timeout: .milliseconds(100))
            #expect(late == nil, "answered after the close: \(String(describing: late))")
            withExtendedLifetime(speaker) {}
        }
    }

    @Test func aCloseIsNeverDroppedBehindAFullQueue() async {
        let closes = Atomic(0)
        let connection = ClientConnection(role: .listener, queueLimit: 16) { closes.add(1, ordering: .relaxed) }
        for index in 0..<40 { connection.send(text: "\(index)") }
        connection.close(.policyViolation, reason: "too many rejected messages")
        connection.close(.normalClosure, reason: "session ended")
        connection.send(text: "after the close")
        var written: [String] = []
        for await frame in connection.outbound {
            if case .text(let text) = frame { written.append(text) }
        }
        #expect(written == (0..<16).map(String.init))
        #expect(connection.pendingClose == ClientConnection.Close(code: .policyViolation, reason: "too many rejected messages"))
        #expect(closes.load(ordering: .relaxed) == 1)
    }

    @Test("a listener's text frames, sendAudio included, are held to the control-message rate and size before they are parsed")
    func listenerFramesAreLimitedBeforeParsing() async throws {
        try await TestServer.run(configure: { $0.controlMessagesPerSecond = 4 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            for _ in 0..<8 { listener.send(action: "sendAudio", ["audioData": "AAAA"]) }
            var codes: [String] = []
            for _ in 0..<8 { codes.append(try await listener.expect("error").code ?? "") }
            #expect(codes.filter { $0 == "FORBIDDEN" }.count <= 4, "\(codes)")
            #expect(codes.contains("RATE_LIMIT_EXCEEDED"), "\(codes)")
            // Too large to be a control message: refused before it is read as JSON.
            try await Task.sleep(for: .seconds(1.1))
            listener.send(String(repeating: "x", count: server.settings.maxControlMessageBytes + 1))
            try await listener.expectError("PAYLOAD_TOO_LARGE")
            withExtendedLifetime(speaker) {}
        }
    }
}
