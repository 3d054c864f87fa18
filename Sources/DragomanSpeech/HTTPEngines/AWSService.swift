import AsyncHTTPClient
import DragomanCore
import Foundation

/// One AWS account in one region, as Dragoman's Amazon engines reach it: signed requests to
/// `https://SERVICE.REGION.amazonaws.com`, or to an endpoint that replaces it (a proxy, an emulator).
public struct AWSService: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// Replaces `https://SERVICE.REGION.amazonaws.com` when set.
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
        let base = endpoint ?? URL(string: "https://\(service).\(region).amazonaws.com")!
        let url = path == "/" ? base : base.appendingPathComponent(path)
        let bytes = Array(try JSONEncoder().encode(body))
        let signer = AWSSigner(credentials: credentials, region: region, service: service)
        return try await client.send(.POST, url, headers: headers + signer.signatureHeaders(method: "POST", url: url, headers: headers, body: bytes), body: bytes)
    }
}
