import DragomanCore
import Foundation
import Synchronization

/// The per-address limits of `/ws` connects, checked before an upgrade: open connections per
/// address, connect attempts a minute per address (so session ids cannot be enumerated by brute
/// force, with `FailedConnectLimiter` for the failed ones), and the page a browser connects from.
final class AddressGuard: Sendable {
    private struct State {
        var openConnections: [String: Int] = [:]
        var attempts: [String: TokenBucket] = [:]
    }

    private let state = Mutex(State())
    private let maxConnections: Int
    private let attemptsPerMinute: Double
    private let allowedOrigins: Set<String>
    private let allowsAnyOrigin: Bool
    private let clock: any MonotonicClock

    init(settings: ServerConfiguration, clock: any MonotonicClock = .system) {
        self.clock = clock
        maxConnections = settings.maxConnectionsPerAddress
        attemptsPerMinute = settings.connectAttemptsPerMinute
        let origins = settings.allowedOrigins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        allowsAnyOrigin = origins.contains("*")
        allowedOrigins = Set(origins.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
    }

    /// Checks a connect and, when it passes, counts its connection as open until `release`.
    func admit(origin: String?, host: String?, address: String) -> UpgradeRefusal? {
        guard allows(origin: origin, host: host) else { return .origin }
        return state.withLock { state in
            if attemptsPerMinute > 0 {
                let now = clock.seconds
                var bucket = state.attempts[address] ?? TokenBucket(rate: attemptsPerMinute / 60, capacity: attemptsPerMinute)
                let allowed = bucket.take(now: now)
                state.attempts[address] = bucket
                if state.attempts.count > 100_000 { state.attempts = state.attempts.filter { !$0.value.isFull(now: now) } }
                guard allowed else { return .tooManyAttempts }
            }
            let open = state.openConnections[address, default: 0]
            guard maxConnections == 0 || open < maxConnections else { return .tooManyConnections }
            state.openConnections[address] = open + 1
            return nil
        }
    }

    /// A connection counted by `admit` has closed.
    func release(address: String) {
        state.withLock { state in
            let open = state.openConnections[address, default: 1] - 1
            state.openConnections[address] = open > 0 ? open : nil
        }
    }

    /// Browsers send the `Origin` of the page with every WebSocket connect: the pages the server
    /// itself serves (same host) are always allowed, other sites' only when listed. Clients that
    /// are not browsers send none, or one that is no web page's (hummingbird-websocket's client
    /// sends `ws://host`), and are not held to it.
    func allows(origin: String?, host: String?) -> Bool {
        guard let origin = origin?.lowercased(), !allowsAnyOrigin else { return true }
        guard origin.hasPrefix("http://") || origin.hasPrefix("https://") || origin == "null" else { return true }
        if let host = host?.lowercased(), origin == "http://\(host)" || origin == "https://\(host)" { return true }
        return allowedOrigins.contains(origin)
    }
}
