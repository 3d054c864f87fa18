/// Whether a Wyoming service is up: a `describe` answered by `info`. A connect alone is not
/// enough: the port can be bound while the service's event loop is stuck.
enum WyomingHealthCheck {
    static func answers(_ address: WyomingAddress, timeout: Double) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                guard let connection = try? await WyomingConnection.open(address) else { return false }
                defer { connection.cancel() }
                connection.send(.describe)
                var events = connection.events.makeAsyncIterator()
                return (try? await events.next("info")) != nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return false
            }
            let answer = await group.next() ?? false
            group.cancelAll()
            return answer
        }
    }
}
