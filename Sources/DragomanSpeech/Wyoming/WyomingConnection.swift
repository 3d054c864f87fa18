import NIOCore
import NIOPosix

/// One TCP connection to a Wyoming service: events written in order, events read as they come.
///
/// Wyoming services answer one request per connection (faster-whisper closes it after the
/// transcript), so each recognition or synthesis opens its own.
final class WyomingConnection: Sendable {
    /// The events the service sends, until it closes the connection.
    let events: AsyncThrowingStream<WyomingEvent, any Error>
    private let outgoing: AsyncStream<WyomingEvent>.Continuation
    private let worker: Task<Void, Never>

    private init(
        events: AsyncThrowingStream<WyomingEvent, any Error>, outgoing: AsyncStream<WyomingEvent>.Continuation, worker: Task<Void, Never>
    ) {
        self.events = events
        self.outgoing = outgoing
        self.worker = worker
    }

    /// Connects to `address`.
    static func open(_ address: WyomingAddress) async throws -> WyomingConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let (events, received) = AsyncThrowingStream.makeStream(of: WyomingEvent.self)
        let (toSend, outgoing) = AsyncStream.makeStream(of: WyomingEvent.self)
        let worker = Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await event in toSend { try await outbound.write(ByteBuffer(bytes: event.encoded())) }
                            // Closing ends a connection the service would keep open (Piper does).
                            outbound.finish()
                        }
                        var decoder = WyomingEvent.Decoder()
                        for try await bytes in inbound {
                            decoder.append(bytes.readableBytesView)
                            while let event = try decoder.next() { received.yield(event) }
                        }
                        received.finish()
                        // The service is done; what is left to send has no reader.
                        group.cancelAll()
                    }
                }
            } catch {
                received.finish(throwing: error)
            }
            received.finish()
        }
        return WyomingConnection(events: events, outgoing: outgoing, worker: worker)
    }

    /// Queues an event to send.
    func send(_ event: WyomingEvent) {
        outgoing.yield(event)
    }

    /// Closes the connection: queued events are still sent first.
    func close() {
        outgoing.finish()
    }

    /// Closes the connection now, without waiting for the service.
    func cancel() {
        outgoing.finish()
        worker.cancel()
    }
}

extension AsyncThrowingStream<WyomingEvent, any Error>.Iterator {
    /// The first event of `type`, skipping others; an `error` event throws.
    /// - Throws: `WyomingError.connectionClosed` when the service closes the connection first.
    mutating func next(_ type: String) async throws -> WyomingEvent {
        while let event = try await next() {
            if event.type == type { return event }
            if event.type == "error" { throw WyomingError.serviceError(event.text ?? "no message") }
        }
        throw WyomingError.connectionClosed(expecting: type)
    }
}
