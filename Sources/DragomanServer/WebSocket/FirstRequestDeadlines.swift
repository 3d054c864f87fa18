import NIOCore
import NIOHTTP1
import Synchronization

/// The connections still waiting for their first request head, oldest first, and one timer that
/// closes those whose time is up.
///
/// Every connection waits the same time, so deadlines come in the order connections are accepted
/// and a queue is the whole timer wheel: adding is an append, a head that arrives only empties
/// its entry, and the timer pops from the front. A scheduled task per connection instead costs a
/// linear search of the event loop's timers at each cancel, which under thousands of slowloris
/// connections took most of the accepting loop's time.
final class FirstRequestDeadlines: Sendable {
    /// One connection's place in the queue; it holds the channel until the head arrives or the
    /// connection closes, whichever is first.
    final class Entry: Sendable {
        fileprivate let deadline: NIODeadline
        private let channel: Mutex<(any Channel)?>

        fileprivate init(deadline: NIODeadline, channel: any Channel) {
            self.deadline = deadline
            self.channel = Mutex(channel)
        }

        /// The connection, once: its head arrived, it closed, or its time is up.
        fileprivate func take() -> (any Channel)? {
            channel.withLock { channel in
                defer { channel = nil }
                return channel
            }
        }

        /// The connection no longer waits for its head.
        func settle() {
            _ = take()
        }
    }

    private struct State {
        var waiting = CircularBuffer<Entry>()
        var timerSet = false
    }

    let timeout: TimeAmount
    /// How late a connection may be closed, so one timer run closes every connection of that
    /// span.
    private let resolution: TimeAmount
    private let state = Mutex(State())

    init(timeout: TimeAmount, resolution: TimeAmount = .milliseconds(250)) {
        self.timeout = timeout
        self.resolution = resolution
    }

    /// Puts a new connection at the back of the queue, to be closed after `timeout` unless its
    /// entry is settled first.
    func add(_ channel: any Channel) -> Entry {
        let entry = Entry(deadline: .now() + timeout, channel: channel)
        let startsTimer = state.withLock { state in
            state.waiting.append(entry)
            defer { state.timerSet = true }
            return !state.timerSet
        }
        if startsTimer { schedule(at: entry.deadline, on: channel.eventLoop) }
        return entry
    }

    /// Closes every connection whose time is up and runs again at the next deadline.
    private func expire(on loop: any EventLoop) {
        let now = NIODeadline.now()
        var expired: [any Channel] = []
        let next: NIODeadline? = state.withLock { state in
            while let first = state.waiting.first, first.deadline <= now {
                state.waiting.removeFirst()
                if let channel = first.take() { expired.append(channel) }
            }
            state.timerSet = !state.waiting.isEmpty
            return state.waiting.first?.deadline
        }
        for channel in expired { channel.pipeline.fireUserInboundEventTriggered(Expired()) }
        if let next { schedule(at: next, on: loop) }
    }

    /// Sent through a connection's pipeline when its time is up; its `FirstRequestDeadline`
    /// closes it, unless the head arrived meanwhile and the handler is gone.
    struct Expired: Sendable {}

    private func schedule(at deadline: NIODeadline, on loop: any EventLoop) {
        loop.scheduleTask(deadline: max(deadline, .now() + resolution)) { self.expire(on: loop) }
    }
}

/// Holds a connection's place in `FirstRequestDeadlines` until its first request head arrives;
/// it leaves the pipeline then. Sits between the request decoder and the upgrade handler.
final class FirstRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let entry: FirstRequestDeadlines.Entry

    init(entry: FirstRequestDeadlines.Entry) {
        self.entry = entry
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        entry.settle()
    }

    /// Closes the connection as one whose peer closed its input: the upgrade handler then gives
    /// up on it quietly, where a plain close fails its upgrade with an error that
    /// hummingbird-websocket logs as one, and a flood of slowloris connections would flood the
    /// log.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is FirstRequestDeadlines.Expired else { return context.fireUserInboundEventTriggered(event) }
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        entry.settle()
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
