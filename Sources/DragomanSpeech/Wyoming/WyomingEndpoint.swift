/// A Wyoming service to talk to: one already running at an address, or a sidecar Dragoman
/// supervises, whose readiness is awaited before connecting.
public struct WyomingEndpoint: Sendable {
    public let address: WyomingAddress
    /// The supervisor of the sidecar at ``address``, when Dragoman runs it.
    public let supervisor: SidecarSupervisor?
    /// Seconds a request waits for a supervised sidecar that is (re)starting: long enough for a
    /// restart, short enough that a speaker hears of a sidecar that is down (`ENGINE_FAILURE`)
    /// while still speaking.
    public var readinessTimeout = 10.0

    /// A service someone else runs.
    public init(address: WyomingAddress) {
        self.address = address
        self.supervisor = nil
    }

    /// A sidecar Dragoman starts and supervises.
    public init(supervisor: SidecarSupervisor) {
        self.address = supervisor.address
        self.supervisor = supervisor
    }

    func connect() async throws -> WyomingConnection {
        try await supervisor?.waitUntilReady(timeout: readinessTimeout)
        return try await WyomingConnection.open(address)
    }
}
