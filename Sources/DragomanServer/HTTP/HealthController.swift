import DragomanCore
import DragomanSpeech
import DragomanStore
import Hummingbird

/// `GET /healthz` (the process answers) and `GET /readyz` (and its database and speech sidecars do).
struct HealthController: Sendable {
    let store: any DragomanStore
    var sidecars: [SidecarSupervisor] = []

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("healthz") { _, _ in HealthStatus(status: "ok") }
        router.get("readyz") { _, _ -> EditedResponse<HealthStatus> in
            do {
                try await store.ping()
            } catch {
                return EditedResponse(status: .serviceUnavailable, response: HealthStatus(status: "unavailable", reason: "database"))
            }
            for sidecar in sidecars {
                guard await sidecar.isReady else {
                    return EditedResponse(status: .serviceUnavailable, response: HealthStatus(status: "unavailable", reason: "sidecar \(sidecar.name)"))
                }
            }
            return EditedResponse(status: .ok, response: HealthStatus(status: "ready"))
        }
    }
}
