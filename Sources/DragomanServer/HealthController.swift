import DragomanCore
import DragomanStore
import Hummingbird

/// `GET /healthz` (the process answers) and `GET /readyz` (and its database does).
struct HealthController: Sendable {
    let store: any DragomanStore

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("healthz") { _, _ -> JSONValue in ["status": "ok"] }
        router.get("readyz") { _, _ -> EditedResponse<JSONValue> in
            do {
                try await store.ping()
                return EditedResponse(status: .ok, response: ["status": "ready"])
            } catch {
                return EditedResponse(status: .serviceUnavailable, response: ["status": "unavailable", "reason": "database"])
            }
        }
    }
}
