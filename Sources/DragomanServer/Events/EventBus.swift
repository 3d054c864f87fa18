import DragomanCore
import DragomanStore
import Foundation
import Logging

/// The in-process bus of lifecycle events: each event is stored, then handed to every subscriber
/// (the operator stream, and later the pipeline supervisor and webhooks).
public actor EventBus {
    private let store: any DragomanStore
    private let source: String
    private var subscribers: [UUID: AsyncStream<StoredEvent>.Continuation] = [:]
    private let logger: Logger
    /// The other nodes appending to the same log; `nil` on a single node.
    private let cluster: (any SessionCluster)?
    /// In a cluster, the last event of the shared log handed to the subscribers here.
    private var delivered: Int64?
    /// Appends the events, holding them while the store refuses them.
    private let writer: StoreWriter

    init(store: any DragomanStore, source: String = "/dragoman", logger: Logger, cluster: (any SessionCluster)? = nil, writer: StoreWriter) {
        self.store = store
        self.writer = writer
        self.source = source
        self.logger = logger
        self.cluster = cluster
    }

    /// Stores and announces one "Session Status Change". While the store refuses it, it is held
    /// (`StoreWriter`) and announced once stored, in order.
    func publish(_ transition: StatusTransition, session: SessionRecord) async {
        let event = SessionStatusChangeEvent(
            id: UUID().uuidString.lowercased(), source: source, time: Date(), sessionId: session.id, title: session.title,
            sourceLanguage: session.sourceLanguage, transition: transition)
        let document = event.encoded()
        _ = await writer.write("event of session \(session.id)") { store in
            let sequence = try await store.appendEvent(document: document)
            await self.announce(StoredEvent(sequence: sequence, document: document))
        }
    }

    /// Hands an event just appended to the subscribers; in a cluster, with the events other nodes
    /// appended before it.
    private func announce(_ stored: StoredEvent) async {
        guard let cluster else {
            for continuation in subscribers.values { continuation.yield(stored) }
            return
        }
        cluster.announceEvent(stored.sequence)
        await catchUp(through: stored.sequence)
    }

    /// In a cluster, hands the subscribers the shared log's events after the last handed over, up
    /// to `sequence` at least, in the log's order, whichever node appended them.
    func catchUp(through sequence: Int64) async {
        var last = delivered ?? sequence - 1
        do {
            while last < sequence {
                let events = try await store.events(after: last, limit: 500)
                guard let newest = events.last?.sequence else { break }
                for event in events {
                    for continuation in subscribers.values { continuation.yield(event) }
                }
                last = newest
            }
        } catch {
            logger.error("Could not read the event log", metadata: ["error": "\(error)"])
        }
        delivered = max(delivered ?? last, last)
    }

    /// A stream of the events published from now on; it ends when the consumer stops reading.
    public func subscribe() -> AsyncStream<StoredEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: StoredEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        subscribers[id] = continuation
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }
}
