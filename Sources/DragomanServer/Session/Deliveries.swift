/// Frames for connections' queues, made by a session and put into the queues by its caller, outside
/// the session's actor: with thousands of listeners, the actor is not held while they are queued.
/// A frame is encoded once for all of its connections.
struct Deliveries: Sendable {
    private var items: [(frame: ClientConnection.Outbound, connections: [ClientConnection], isAudio: Bool)] = []

    static let none = Deliveries()

    /// A text frame for `connections`.
    mutating func add(_ text: String, to connections: some Sequence<ClientConnection>) {
        items.append((.text(text), Array(connections), false))
    }

    /// A frame of speech for `connections`, skipped for those that are behind.
    mutating func add(audio frame: ClientConnection.Outbound, to connections: [ClientConnection]) {
        guard !connections.isEmpty else { return }
        items.append((frame, connections, true))
    }

    /// Queues every frame, in the order added.
    func send() {
        for item in items {
            for connection in item.connections {
                if item.isAudio {
                    connection.send(audio: item.frame)
                } else if case .text(let text) = item.frame {
                    connection.send(text: text)
                }
            }
        }
    }
}
