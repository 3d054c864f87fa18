import DragomanCore
import DragomanSpeech
import DragomanStore
import Hummingbird
import Synchronization

/// `GET /healthz` (the process answers) and `GET /readyz` (and its database and speech sidecars
/// do; a database that has failed for less than `databaseOutageGrace` only degrades it, see
/// `DatabaseReadiness`).
final class HealthController: Sendable {
    let store: any DragomanStore
    let sidecars: [SidecarSupervisor]
    let readiness: Mutex<DatabaseReadiness>
    let clock: any MonotonicClock

    init(store: any DragomanStore, sidecars: [SidecarSupervisor] = [], databaseOutageGrace: Double, clock: any MonotonicClock = .system) {
        self.store = store
        self.sidecars = sidecars
        self.readiness = Mutex(DatabaseReadiness(grace: databaseOutageGrace))
        self.clock = clock
    }

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("healthz") { _, _ in HealthStatus(status: "ok") }
        router.get("readyz") { _, _ in await self.ready() }
    }

    private func ready() async -> EditedResponse<HealthStatus> {
        let succeeded = (try? await store.ping()) != nil
        let now = clock.seconds
        switch readiness.withLock({ $0.pinged(succeeded: succeeded, now: now) }) {
        case .down:
            return EditedResponse(status: .serviceUnavailable, response: HealthStatus(status: "unavailable", reason: "database"))
        case .failingBriefly:
            return EditedResponse(status: .ok, response: HealthStatus(status: "degraded", reason: "database"))
        case .answering:
            break
        }
        for sidecar in sidecars {
            guard await sidecar.isReady else {
                return EditedResponse(status: .serviceUnavailable, response: HealthStatus(status: "unavailable", reason: "sidecar \(sidecar.name)"))
            }
        }
        return EditedResponse(status: .ok, response: HealthStatus(status: "ready"))
    }
}
