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

    public init(store: any DragomanStore, source: String = "/dragoman", logger: Logger) {
        self.store = store
        self.source = source
        self.logger = logger
    }

    /// Stores and announces one "Session Status Change".
    func publish(_ transition: StatusTransition, session: SessionRecord) async {
        let event = SessionStatusChangeEvent(
            id: UUID().uuidString.lowercased(), source: source, time: Date(), sessionId: session.id, title: session.title,
            sourceLanguage: session.sourceLanguage, transition: transition)
        let document = event.encoded()
        do {
            let sequence = try await store.appendEvent(document: document)
            let stored = StoredEvent(sequence: sequence, document: document)
            for continuation in subscribers.values { continuation.yield(stored) }
        } catch {
            logger.error("Could not store a session event", metadata: ["sessionId": "\(session.id)", "error": "\(error)"])
        }
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
