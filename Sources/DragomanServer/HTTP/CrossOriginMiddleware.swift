import Hummingbird
import NIOCore

/// CORS for the HTTP API (`/v1`), preflight included: a page of an origin in `allowedOrigins` (or
/// any, with `*`) may call it, as the replaced design's speaker app does from its own site
/// (`POST /v1/sessions` with a bearer token). Other sites' pages get no CORS headers, so their
/// browsers keep the answers from them; requests without `Origin` are not concerned.
struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let addressGuard: AddressGuard
    private let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased, allowHeaders: [.accept, .authorization, .contentType], allowMethods: [.get, .post, .put, .patch, .delete],
        maxAge: .seconds(600))

    init(addressGuard: AddressGuard) {
        self.addressGuard = addressGuard
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/"), let origin = request.headers[.origin], origin != "null",
            addressGuard.allows(origin: origin, host: request.head.authority)
        else { return try await next(request, context) }
        return try await cors.handle(request, context: context, next: next)
    }
}
