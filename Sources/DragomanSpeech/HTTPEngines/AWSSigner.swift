import Crypto
import Foundation

/// AWS credentials: an access key, and a session token for temporary ones.
public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4: what Amazon Translate, Polly and Transcribe require of every request,
/// in the `Authorization` header or, for a URL handed over whole (Transcribe's WebSocket), in its
/// query. Checked against AWS's published test suite and presigned-URL example.
public struct AWSSigner: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    /// The signing name of the service: `translate`, `polly`, `transcribe`.
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `X-Amz-Date`, `X-Amz-Security-Token` with a session
    /// token, and `Authorization`. `headers` are the request's own, all of which are signed;
    /// `Host` is taken from `url`.
    public func signatureHeaders(
        method: String, url: URL, headers: [(name: String, value: String)], body: [UInt8], date: Date = Date()
    ) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var added = [(name: "X-Amz-Date", value: stamp)]
        if let token = sessionToken { added.append((name: "X-Amz-Security-Token", value: token)) }
        let request = canonicalRequest(method: method, url: url, headers: headers + added, payloadHash: Self.payloadHash(body))
        added.append(
            (
                name: "Authorization",
                value:
                    "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(stamp)), SignedHeaders=\(request.signedHeaders), Signature=\(signature(request.text, stamp: stamp))"
            ))
        return added
    }

    /// `url` presigned: the SigV4 parameters added to its query (`X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Security-Token` with a session
    /// token, `X-Amz-SignedHeaders`), all signed with the query it had, then `X-Amz-Signature`.
    /// Only `Host` is signed, so whoever holds the URL may send the request, for `expires` seconds.
    /// - Parameter payloadHash: ``payloadHash(_:)`` of the body the request will have, or
    ///   `UNSIGNED-PAYLOAD` where the service allows it (S3).
    public func presignedURL(_ url: URL, method: String = "GET", expires: Int, payloadHash: String, date: Date = Date()) -> URL {
        let stamp = Self.timestamp(date)
        var parameters = [
            ("X-Amz-Algorithm", Self.algorithm), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"), ("X-Amz-Date", stamp),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = sessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        parameters.append(("X-Amz-SignedHeaders", "host"))
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        let query = [components.percentEncodedQuery ?? ""] + parameters.map { "\(Self.encode($0))=\(Self.encode($1))" }
        components.percentEncodedQuery = query.filter { !$0.isEmpty }.joined(separator: "&")
        let request = canonicalRequest(method: method, url: components.url!, headers: [], payloadHash: payloadHash)
        components.percentEncodedQuery! += "&X-Amz-Signature=\(signature(request.text, stamp: stamp))"
        return components.url!
    }

    /// The hex SHA-256 of a request's body, as the canonical request carries it.
    public static func payloadHash(_ body: [UInt8]) -> String {
        hex(SHA256.hash(data: body))
    }

    /// The canonical request AWS recomputes, and the list of signed header names.
    func canonicalRequest(method: String, url: URL, headers: [(name: String, value: String)], payloadHash: String) -> (text: String, signedHeaders: String) {
        var byName: [String: [String]] = [:]
        let host = url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? ""
        for (name, value) in [(name: "host", value: host)] + headers {
            // Values trimmed, inner runs of spaces made one.
            let tidy = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            byName[name.lowercased(), default: []].append(tidy)
        }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let path = url.path.isEmpty ? "/" : url.path
        let canonicalPath = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/")
        let text = [method.uppercased(), canonicalPath, Self.canonicalQuery(url), canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        return (text, signedHeaders)
    }

    private static let algorithm = "AWS4-HMAC-SHA256"

    private var sessionToken: String? {
        credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The credential scope: the day, region and service the signature is good for.
    private func scope(_ stamp: String) -> String {
        "\(stamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signature(_ canonicalRequest: String, stamp: String) -> String {
        let stringToSign = [Self.algorithm, stamp, scope(stamp), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: String(stamp.prefix(8)))))
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Query parameters decoded, encoded again the AWS way, sorted by name then value.
    private static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).removingPercentEncoding ?? String($0) }
            return (encode(parts[0]), encode(parts.count > 1 ? parts[1] : ""))
        }.sorted { $0 < $1 }.map { "\($0)=\($1)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but unreserved characters.
    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
