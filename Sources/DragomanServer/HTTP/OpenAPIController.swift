import Foundation
import Hummingbird

/// `GET /v1/openapi.json`: the OpenAPI 3.1 description of the HTTP API.
struct OpenAPIController: Sendable {
    /// The document, as shipped in the module's resources.
    static let document: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            fatalError("openapi.json is missing from the DragomanServer resources")
        }
        return data
    }()

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
    }
}
