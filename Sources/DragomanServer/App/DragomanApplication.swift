import Hummingbird
import Logging
import ServiceLifecycle

/// The whole server as one service: the writer of what the store must keep, the Hummingbird
/// application and, shut down before it, the farewell to clients. A service group stops its
/// services in reverse order, so on SIGTERM the clients are told and the segments under way
/// finished while the HTTP server still runs; then it stops accepting and closes what is left;
/// last, the writes the store has not taken yet get their last try.
public struct DragomanApplication: Service {
    let storeWriter: StoreWriter
    let application: any Service
    let farewell: ClientFarewell
    let logger: Logger

    public func run() async throws {
        try await ServiceGroup(configuration: .init(services: [storeWriter, application, farewell], logger: logger)).run()
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully; what has not stopped after
    /// `gracefulShutdownLimit` is cancelled.
    public func runService(gracefulShutdownLimit: Duration = .seconds(30)) async throws {
        var configuration = ServiceGroupConfiguration(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = gracefulShutdownLimit
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Waits for the graceful shutdown, then has every session finish its segment under way and
/// tell its clients to reconnect.
struct ClientFarewell: Service {
    let registry: SessionRegistry
    /// How long the sessions may take to finish their segments under way.
    let deadline: Duration

    func run() async throws {
        // Returns at the graceful shutdown; throws if the group is cancelled instead.
        try await gracefulShutdown()
        await registry.farewell(deadline: deadline)
    }
}
