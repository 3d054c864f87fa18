import DragomanCore
import DragomanStore
import Foundation
import HTTPTypes
import Hummingbird

/// The web pages, served by the server itself from its resources so they work with no internet:
/// `/` (type a session code), `/s/{id}` (listener), `/speak` (speaker console), `/interpret/{id}`
/// (an interpreter's booth), their files under `/assets/`, and `GET /v1/sessions/{id}/qr.svg`, the session's join link as a QR code.
struct WebController: Sendable {
    let store: any DragomanStore
    let settings: ServerConfiguration

    /// One file of the pages, read once at start.
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        var eTag: String
    }

    /// Every file under `Resources/Web`, by its path there (`speak.html`, `assets/speak/main.js`).
    static let assets: [String: Asset] = {
        guard let root = Bundle.module.url(forResource: "Web", withExtension: nil) else {
            fatalError("The Web folder is missing from the DragomanServer resources")
        }
        var assets: [String: Asset] = [:]
        let rootPath = root.resolvingSymlinksInPath().path
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = files?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true, let data = try? Data(contentsOf: url) else { continue }
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(rootPath.count + 1))
            assets[path] = Asset(body: ByteBuffer(bytes: data), contentType: contentType(of: path), eTag: "\"\(String(FNV1a.hash(data), radix: 16))\"")
        }
        return assets
    }()

    /// The pages on `router`, and the QR code, which names a session, on `lookups`.
    func addRoutes(to router: Router<DragomanRequestContext>, lookups: some RouterMethods<DragomanRequestContext>) {
        router.group().add(middleware: PageSecurityMiddleware())
            .get("/") { request, context in try await Self.serve("index.html", for: request, context: context) }
            .get("speak") { request, context in try await Self.serve("speak.html", for: request, context: context) }
            .get("s/{id}") { request, context in try await Self.serve("listen.html", for: request, context: context) }
            .get("interpret/{id}") { request, context in try await Self.serve("interpret.html", for: request, context: context) }
        // The pages' files are in folders by page (`assets/listen/main.js`); a path of one that is
        // not there is simply not found, `..` included, as only the files read at start are served.
        router.get("assets/**") { request, context in
            try await Self.serve((["assets"] + context.parameters.getCatchAll()).joined(separator: "/"), for: request, context: context)
        }
        lookups.get("v1/sessions/{id}/qr.svg", use: qrCode)
    }

    /// `GET /v1/sessions/{id}/qr.svg`: the join link of a session, as the speaker console shows it.
    @Sendable func qrCode(request: Request, context: DragomanRequestContext) async throws -> Response {
        let id = try await store.session(named: try context.parameters.require("id")).id
        let link = settings.joinURL(for: id, authority: request.head.authority)
        let svg: String
        do {
            svg = try QRCode(link).svg(title: link)
        } catch {
            throw HTTPError(.internalServerError, message: "\(error)")
        }
        return Response(
            status: .ok,
            headers: [.contentType: "image/svg+xml", .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    /// A file of the pages; `304` when the browser has it already (its `If-None-Match` names the
    /// file's ETag).
    static func serve(_ path: String, for request: Request, context: some RequestContext) async throws -> Response {
        guard let asset = assets[path] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
        }
        let headers: HTTPFields = [
            .contentType: asset.contentType,
            // Revalidated every time, so a server upgrade reaches every phone at once.
            .cacheControl: "no-cache",
            .xContentTypeOptions: "nosniff",
        ]
        return try await request.ifNoneMatch(headers: headers, eTag: asset.eTag, context: context) {
            Response(status: .ok, body: .init(byteBuffer: asset.body))
        }
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "webmanifest": "application/manifest+json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}
