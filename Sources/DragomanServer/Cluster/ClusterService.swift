import ServiceLifecycle

/// Runs a node's part of the cluster next to the server, in its `ServiceGroup`.
struct ClusterService: Service {
    let cluster: any SessionCluster
    let registry: SessionRegistry
    let events: EventBus

    func run() async throws {
        try await cluster.run(delivering: registry, events: events)
    }
}
