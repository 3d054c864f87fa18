import AsyncHTTPClient
import DragomanCore
import Foundation

/// One AWS account in one region, as Dragoman's Amazon engines reach it: signed requests to
/// `https://SERVICE.REGION.amazonaws.com` (Transcribe: a presigned WebSocket), or to an endpoint
/// that replaces it (a proxy, an emulator).
public struct AWSService: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// Replaces `https://SERVICE.REGION.amazonaws.com` and Transcribe's
    /// `wss://transcribestreaming.REGION.amazonaws.com:8443` when set. `http`/`https` and `ws`/`wss`
    /// stand for each other, so that one endpoint serves the HTTP engines and the WebSocket one.
    public var endpoint: URL?

    public init(credentials: AWSCredentials, region: String, endpoint: URL? = nil) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
    }

    /// Posts a signed JSON request to `path` of `service` (its signing name, `translate`, `polly`).
    func post(
        service: String, path: String, headers: [(name: String, value: String)], json body: JSONValue, client: EngineHTTPClient
    ) async throws -> HTTPClientResponse {
        let base = endpoint.map { Self.url($0, schemes: (secure: "https", plain: "http")) } ?? URL(string: "https://\(service).\(region).amazonaws.com")!
        let url = path == "/" ? base : base.appendingPathComponent(path)
        let bytes = Array(try JSONEncoder().encode(body))
        let signer = AWSSigner(credentials: credentials, region: region, service: service)
        return try await client.send(
            .POST, url, headers: headers + signer.signatureHeaders(method: "POST", url: url, headers: headers, body: bytes), body: bytes)
    }

    /// `endpoint` as a WebSocket URL.
    var webSocketEndpoint: URL? {
        endpoint.map { Self.url($0, schemes: (secure: "wss", plain: "ws")) }
    }

    /// `url` with the secure one of `schemes` where it has `https` or `wss`, the plain one otherwise.
    private static func url(_ url: URL, schemes: (secure: String, plain: String)) -> URL {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.scheme = ["https", "wss"].contains(url.scheme?.lowercased()) ? schemes.secure : schemes.plain
        return components.url!
    }
}
