import DragomanCore
import DragomanSpeech
import DragomanStore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// What the server is built from; the defaults are the embedded tier.
public struct ServerDependencies: Sendable {
    public var store: any DragomanStore
    public var engines: SpeechEngines
    public var logger: Logger
    /// What the rate limits read the time from and the session timers wait on; tests move it
    /// instead of waiting.
    public var clock: any MonotonicClock

    public init(store: any DragomanStore, engines: SpeechEngines, logger: Logger, clock: any MonotonicClock = .system) {
        self.store = store
        self.engines = engines
        self.logger = logger
        self.clock = clock
    }

}

/// Builds the Dragoman application: routes, the `/ws` gateway and the long-lived services.
/// - Parameter onServerRunning: called with the bound port once the server listens (port 0 picks one).
public func buildApplication(
    configuration settings: ServerConfiguration, dependencies: ServerDependencies,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> DragomanApplication {
    // Before anything makes a metric: one made earlier would report nowhere.
    ServerMetrics.bootstrap()
    let logger = dependencies.logger
    let store = dependencies.store
    // Nodes sharing a PostgreSQL serve their sessions together; a SQLite node is alone.
    let cluster = (store as? PostgresStore).map { PostgresCluster(store: $0, heartbeat: settings.clusterHeartbeat, logger: logger) }
    let writer = StoreWriter(store: store, logger: logger)
    // Glossaries live in the store, shared by every node that translates a session.
    dependencies.engines.glossaries.share(through: store)
    let events = EventBus(store: store, logger: logger, cluster: cluster, writer: writer)
    let registry = SessionRegistry(
        settings: settings, store: store, writer: writer, events: events, engines: dependencies.engines, logger: logger, cluster: cluster,
        clock: dependencies.clock)
    let authenticator = Authenticator(store: store, identityProvider: settings.identity.verifier(logger: logger))
    let catalog = dependencies.engines.catalog
    let gateway = WebSocketGateway(
        registry: registry, catalog: catalog, authenticator: authenticator, settings: settings, clock: dependencies.clock, logger: logger)

    let router = buildRouter(
        settings: settings, store: store, catalog: catalog, registry: registry, events: events, gateway: gateway,
        glossaries: dependencies.engines.glossaries, sidecars: dependencies.engines.sidecars)
    let webSocketRouter = Router(context: DragomanRequestContext.self)
    gateway.addUpgradeRoute(to: webSocketRouter)

    let application = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter,
            // Frames are read up to twice the message limit so an oversized one can be answered
            // with an error before the close; larger frames are cut off by the frame decoder.
            // Pings come from the one `PingTimer`, not a task per connection.
            configuration: .init(
                http1: .init(idleTimeout: settings.httpIdleTimeout > 0 ? .nanoseconds(Int64(settings.httpIdleTimeout * 1e9)) : nil),
                ws: .init(maxFrameSize: settings.maxMessageBytes * 2, autoPing: .disabled, validateUTF8: true)),
            admitting: gateway.admitsUpgrade, limits: ConnectionLimits(settings: settings)
        ),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Dragoman", backlog: ConnectionLimits.acceptBacklog),
        services: [registry, gateway.pings] + (cluster.map { [ClusterService(cluster: $0, registry: registry, events: events)] } ?? [])
            + dependencies.engines.sidecars,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
    return DragomanApplication(
        storeWriter: writer, application: application, farewell: ClientFarewell(registry: registry, deadline: .seconds(10)), logger: logger)
}

/// The HTTP routes.
func buildRouter(
    settings: ServerConfiguration, store: any DragomanStore, catalog: LanguageCatalog, registry: SessionRegistry, events: EventBus,
    gateway: WebSocketGateway, glossaries: GlossaryBook = GlossaryBook(), sidecars: [SidecarSupervisor] = []
) -> Router<DragomanRequestContext> {
    let router = Router(context: DragomanRequestContext.self)
    // First: a router's middleware applies to the routes added after it.
    router.add(middleware: CrossOriginMiddleware(addressGuard: gateway.addressGuard))
    let authenticator = gateway.authenticator
    HealthController(store: store, sidecars: sidecars, databaseOutageGrace: settings.databaseOutageGrace, clock: gateway.clock).addRoutes(to: router)
    LanguagesController(catalog: catalog).addRoutes(to: router)
    // The routes that name a session or check a key share `/ws`'s allowance of failed guesses.
    let guarded = router.group().add(middleware: FailedGuessMiddleware(limiter: gateway.failedConnects, addresses: gateway.addresses))
    SessionsController(
        registry: registry, store: store, catalog: catalog, authenticator: authenticator, settings: settings
    ).addRoutes(to: guarded)
    TranscriptController(store: store, authenticator: authenticator, settings: settings).addRoutes(to: guarded)
    GlossaryController(book: glossaries, authenticator: authenticator).addRoutes(to: guarded)
    InterpretersController(registry: registry, store: store, catalog: catalog, authenticator: authenticator, settings: settings).addRoutes(to: guarded)
    EventsController(bus: events, store: store, authenticator: authenticator).addRoutes(to: guarded)
    OpenAPIController().addRoutes(to: router)
    MetricsController(registry: ServerMetrics.bootstrap()).addRoutes(to: router)
    WebController(store: store, settings: settings).addRoutes(to: router, lookups: guarded)
    SpeechUnitController(units: gateway.speechUnits).addRoutes(to: guarded)
    gateway.addRefusalRoute(to: router)
    return router
}
