import DragomanCore
import DragomanServer
import Foundation
import Testing

/// PROTOCOL.md "Limits": sizes and rates. A bad message is answered and the connection stays;
/// only a message over the absolute limit (1009) or sustained abuse (1008) closes it.
@Suite("Limits")
struct LimitTests {
    /// A heartbeat padded to `size` bytes of JSON.
    private static func paddedHeartbeat(size: Int) -> String {
        let prefix = "{\"action\":\"heartbeat\",\"padding\":\""
        let suffix = "\"}"
        return prefix + String(repeating: "x", count: size - prefix.utf8.count - suffix.utf8.count) + suffix
    }

    @Test func aControlMessageOver4KBIsRefusedAndTheConnectionStays() async throws {
        try await TestServer.run { server in
            let (speaker, _, _) = try await server.speaker()
            speaker.send(Self.paddedHeartbeat(size: 4 * 1024))
            try await speaker.expect("heartbeatAck")
            speaker.send(Self.paddedHeartbeat(size: 4 * 1024 + 1))
            let error = try await speaker.expectError("PAYLOAD_TOO_LARGE")
            #expect(error["action"]?.stringValue == "heartbeat")
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func aListenersControlMessageOver4KBToo() async throws {
        try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(Self.paddedHeartbeat(size: 5_000))
            try await listener.expectError("PAYLOAD_TOO_LARGE")
            #expect(try await listener.barrier().isEmpty)
            await listener.disconnect()
            await speaker.disconnect()
        }
    }

    @Test func sendAudioMayBeLargerThanAControlMessage() async throws {
        try await TestServer.run { server in
            let (speaker, _, _) = try await server.speaker()
            let pcm = Data(repeating: 0, count: 16_000).base64EncodedString()
            speaker.send(action: "sendAudio", ["audioData": .string(pcm)])
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func aTextMessageOverTheAbsoluteLimitClosesWith1009() async throws {
        try await TestServer.run(configure: { $0.maxMessageBytes = 16 * 1024 }) { server in
            let (speaker, _, _) = try await server.speaker()
            speaker.send(Self.paddedHeartbeat(size: 20 * 1024))
            try await speaker.expectError("PAYLOAD_TOO_LARGE")
            #expect(try await speaker.closeCode() == .messageTooLarge)
        }
    }

    @Test func aBinaryMessageOverTheAbsoluteLimitClosesWith1009() async throws {
        try await TestServer.run(configure: { $0.maxMessageBytes = 16 * 1024 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            listener.send(binary: [UInt8](repeating: 0, count: 20 * 1024))
            try await listener.expectError("PAYLOAD_TOO_LARGE")
            #expect(try await listener.closeCode() == .messageTooLarge)
            // The speaker's connection is not affected.
            #expect(try await speaker.barrier().allSatisfy { $0.type == "sessionStatus" })
            await speaker.disconnect()
        }
    }

    @Test func aFrameFarOverTheLimitClosesWith1009() async throws {
        try await TestServer.run(configure: { $0.maxMessageBytes = 16 * 1024 }) { server in
            let (speaker, _, _) = try await server.speaker()
            speaker.send(binary: [UInt8](repeating: 0, count: 64 * 1024))
            #expect(try await speaker.closeCode() == .messageTooLarge)
            // The server is fine.
            let (again, _, _) = try await server.speaker()
            await again.disconnect()
        }
    }

    @Test func aModerateControlFloodIsRateLimitedButNotClosed() async throws {
        let clock = ManualClock()
        try await TestServer.run(clock: clock) { server in
            let (speaker, _, _) = try await server.speaker()
            for _ in 0..<40 { speaker.send(action: "heartbeat") }
            var acks = 0
            var limited = 0
            for _ in 0..<40 {
                let message = try await speaker.next()
                if message.type == "heartbeatAck" { acks += 1 }
                if message.type == "error" {
                    #expect(message.code == "RATE_LIMIT_EXCEEDED")
                    #expect(message["action"]?.stringValue == "heartbeat")
                    limited += 1
                }
            }
            #expect(acks >= 10)
            #expect(limited >= 1)
            #expect(acks + limited == 40)
            // A second later the bucket has refilled and the connection works.
            clock.advance(by: 1.1)
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }

    @Test func audioChunksAreRateLimited() async throws {
        try await TestServer.run(configure: { $0.audioChunksPerSecond = 5 }) { server in
            let (speaker, _, _) = try await server.speaker()
            for _ in 0..<20 { speaker.send(binary: [UInt8](repeating: 0, count: 320)) }
            let before = try await speaker.barrier()
            #expect(before.count >= 10)
            for message in before {
                #expect(message.code == "RATE_LIMIT_EXCEEDED")
                #expect(message["action"]?.stringValue == "sendAudio")
            }
            await speaker.disconnect()
        }
    }

    @Test func statusQueriesAreRateLimited() async throws {
        // A bucket of one that refills in 20 s: the count does not depend on how fast this machine is.
        try await TestServer.run(configure: { $0.statusQueriesPerSecond = 0.05 }) { server in
            let (speaker, _, _) = try await server.speaker()
            for _ in 0..<6 { speaker.send(action: "getSessionStatus") }
            var statuses = 0
            var limited = 0
            for _ in 0..<6 {
                let message = try await speaker.next()
                if message.type == "sessionStatus" { statuses += 1 }
                if message.code == "RATE_LIMIT_EXCEEDED" {
                    #expect(message["action"]?.stringValue == "getSessionStatus")
                    limited += 1
                }
            }
            #expect(statuses == 1)
            #expect(limited == 5)
            await speaker.disconnect()
        }
    }

    @Test func sustainedAbuseClosesWith1008() async throws {
        try await TestServer.run(configure: { $0.abuseAllowance = 20 }) { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let (listener, _) = try await server.listener(sessionId)
            for _ in 0..<100 { listener.send("garbage") }
            var errors = 0
            while let message = try? await listener.next() {
                #expect(message.type == "error")
                errors += 1
            }
            #expect(errors >= 20)
            #expect(try await listener.closeCode() == .policyViolation)
            // The session and its speaker carry on.
            speaker.send(action: "getSessionStatus")
            #expect(try await speaker.waitFor("sessionStatus") { $0["updateReason"]?.stringValue == "requested" }.message["listenerCount"]?.intValue == 0)
            await speaker.disconnect()
        }
    }

    @Test func theDefaultAllowanceToleratesAFewHundredMistakes() async throws {
        try await TestServer.run(configure: { $0.controlMessagesPerSecond = 10_000 }) { server in
            let (speaker, _, _) = try await server.speaker()
            for _ in 0..<150 { speaker.send("{") }
            for _ in 0..<150 { try await speaker.expectError("INVALID_MESSAGE") }
            #expect(try await speaker.barrier().isEmpty)
            await speaker.disconnect()
        }
    }
}
