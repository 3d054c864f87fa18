import HTTPTypes
import Hummingbird

/// The headers of the web pages themselves (not of their scripts and styles): a Content Security
/// Policy, written with Hummingbird's `ContentSecurityPolicy`, so the pages only load what the
/// server itself serves, and no referrer, so a session's link does not travel on.
///
/// Hummingbird's `ContentSecurityMiddleware` is not used as is: it appends its own
/// `X-Content-Type-Options`, which every file of the pages already carries.
struct PageSecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String = ContentSecurityPolicy([
        .defaultSrc(.self), .scriptSrc(.self), .styleSrc(.self), .imgSrc(.self, "data:", "blob:"), .mediaSrc(.self, "blob:"),
        .connectSrc(.self, .scheme(.ws), .scheme(.wss)), .objectSrc(.none), .baseURI(.none), .frameAncestors(.none), .formAction(.self),
    ]).description

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
