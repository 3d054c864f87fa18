import DragomanCore
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import DragomanServer

/// Slow and idle connections are reaped, and one address cannot hold every descriptor (issue 14,
/// item 4).
@Suite("Slow connections")
struct SlowConnectionTests {
    /// Sends `text` (if any) on a new connection and returns how long the server kept it open
    /// (`nil` when it still was after `limit`), and what it sent.
    static func heldOpen(port: Int, sending text: String?, limit: Duration) async throws -> (Duration?, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let start = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            if let text { try await outbound.write(ByteBuffer(string: text)) }
            return try await withThrowingTaskGroup(of: (Duration?, String).self) { group in
                group.addTask {
                    var received = ""
                    do {
                        for try await buffer in inbound { received += String(buffer: buffer) }
                    } catch {}
                    return (ContinuousClock.now - start, received)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return (nil, "")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
    }

    @Test("a request head that never ends, or never starts, is dropped after httpHeaderTimeout; a finished one is answered")
    func headerTimeout() async throws {
        try await TestServer.run(configure: { $0.httpHeaderTimeout = 0.5 }) { server in
            let (partial, _) = try await Self.heldOpen(port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", limit: .seconds(5))
            #expect(partial != nil && partial! < .seconds(3), "\(String(describing: partial))")
            let (silent, _) = try await Self.heldOpen(port: server.port, sending: nil, limit: .seconds(5))
            #expect(silent != nil && silent! < .seconds(3), "\(String(describing: silent))")
            let (_, answer) = try await Self.heldOpen(
                port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", limit: .seconds(5))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            // A connection whose head arrived in time is no longer the deadline's: kept alive past it.
            let (kept, _) = try await Self.heldOpen(port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", limit: .seconds(2))
            #expect(kept == nil, "\(String(describing: kept))")
        }
    }

    @Test("a keep-alive connection idle for httpIdleTimeout after its response is closed; a WebSocket is not")
    func idleTimeout() async throws {
        // A second, not less: the test's own WebSocket clients must get their request heads in on
        // a loaded machine.
        try await TestServer.run(configure: { $0.httpIdleTimeout = 1 }) { server in
            let (idle, answer) = try await Self.heldOpen(port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", limit: .seconds(6))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(idle != nil && idle! < .seconds(4), "\(String(describing: idle))")
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            try await Task.sleep(for: .seconds(2.5))
            #expect(try await listener.barrier().isEmpty)
            withExtendedLifetime(speaker) {}
        }
    }

    @Test("one address holds at most maxHTTPConnectionsPerAddress connections; a closed one frees its place")
    func connectionsPerAddress() async throws {
        try await TestServer.run(configure: {
            $0.maxHTTPConnectionsPerAddress = 2
            $0.httpHeaderTimeout = 0
            // The test's own address is no proxy here.
            $0.trustedProxies = ""
        }) { server in
            let holders = try await withThrowingTaskGroup(of: (Duration?, String).self) { group in
                for _ in 0..<2 { group.addTask { try await Self.heldOpen(port: server.port, sending: nil, limit: .seconds(5)) } }
                // Time for both to be accepted, even on a loaded machine.
                try await Task.sleep(for: .milliseconds(1_500))
                let (third, _) = try await Self.heldOpen(port: server.port, sending: nil, limit: .seconds(2))
                #expect(third != nil, "a third connection was kept")
                var held: [(Duration?, String)] = []
                for try await result in group { held.append(result) }
                return held
            }
            #expect(holders.allSatisfy { $0.0 == nil }, "the first two were kept: \(holders)")
            // Both have closed: the address may connect again.
            try await Task.sleep(for: .milliseconds(200))
            let (_, answer) = try await Self.heldOpen(
                port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", limit: .seconds(5))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            // A connection whose head arrived in time is no longer the deadline's: kept alive past it.
            let (kept, _) = try await Self.heldOpen(port: server.port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", limit: .seconds(2))
            #expect(kept == nil, "\(String(describing: kept))")
        }
    }
}

/// What an upgrade request may make the server hold while it is being admitted.
@Suite("Upgrade gate reads")
struct UpgradeGateReadTests {
    /// Counts the reads asked of the socket.
    final class ReadCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = NIOAny
        let reads = Mutex(0)

        func read(context: ChannelHandlerContext) {
            reads.withLock { $0 += 1 }
            context.read()
        }
    }

    @Test("while an upgrade is being admitted the socket is not read; the read asked meanwhile follows the request")
    func noReadsWhileDeciding() async throws {
        let (verdicts, answer) = AsyncStream.makeStream(of: RefusedUpgradeGate.Verdict.self)
        let gate = RefusedUpgradeGate { _, _ in
            var iterator = verdicts.makeAsyncIterator()
            return await iterator.next() ?? .refuse(reason: nil)
        }
        let counter = ReadCounter()
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandlers([counter, gate])
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ws?action=joinSession")
        head.headers.add(name: "Upgrade", value: "websocket")
        try await channel.writeInbound(HTTPServerRequestPart.head(head))
        // A client streaming a body while it waits: what is read stays held, and no more is read.
        for _ in 0..<3 {
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0x61, count: 1_024)))
            channel.read()
        }
        try await channel.testingEventLoop.executeInContext {}
        #expect(counter.reads.withLock { $0 } == 0)
        #expect(try await channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        answer.yield(.refuse(reason: nil))
        // The request goes on (as a plain GET), then the read held back.
        let first = try await Self.next(from: channel)
        guard case .head(let passed) = first else {
            Issue.record("\(String(describing: first))")
            return
        }
        #expect(!passed.headers.contains(name: "upgrade"))
        #expect(counter.reads.withLock { $0 } == 1)
        _ = try await channel.finish()
    }

    /// The next inbound part, once the gate released it.
    static func next(from channel: NIOAsyncTestingChannel) async throws -> HTTPServerRequestPart? {
        for _ in 0..<500 {
            if let part = try await channel.readInbound(as: HTTPServerRequestPart.self) { return part }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
