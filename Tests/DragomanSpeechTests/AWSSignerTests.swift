import DragomanCore
import Foundation
import Testing

@testable import DragomanSpeech

/// The SigV4 signer against vectors of AWS's published test suite (`Tests/Fixtures/aws-sigv4-test-suite.json`),
/// and its presigned URLs against AWS's published example.
@Suite struct AWSSignerTests {
    struct Suite: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
        }

        struct Vector: Decodable, CustomStringConvertible {
            var name: String
            var method: String
            var url: String
            var headers: [[String]]
            var body: String
            var canonicalRequest: String?
            var authorization: String
            var description: String { name }
        }

        var credentials: Credentials
        var region: String
        var service: String
        var time: Date
        var vectors: [Vector]
    }

    static let suite: Suite = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try! decoder.decode(Suite.self, from: Data(contentsOf: Fixture.directory.appendingPathComponent("aws-sigv4-test-suite.json")))
    }()

    @Test(arguments: suite.vectors)
    func signsAsAWSPublished(_ vector: Suite.Vector) throws {
        let suite = Self.suite
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: suite.credentials.accessKeyID, secretAccessKey: suite.credentials.secretAccessKey),
            region: suite.region, service: suite.service)
        let url = try #require(URL(string: vector.url))
        let headers = vector.headers.map { (name: $0[0], value: $0[1]) }
        let added = signer.signatureHeaders(method: vector.method, url: url, headers: headers, body: Array(vector.body.utf8), date: suite.time)
        if let expected = vector.canonicalRequest {
            let request = signer.canonicalRequest(
                method: vector.method, url: url, headers: headers + [(name: "X-Amz-Date", value: "20150830T123600Z")],
                payloadHash: AWSSigner.payloadHash(Array(vector.body.utf8)))
            #expect(request.text == expected)
        }
        #expect(added.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
        #expect(added.first { $0.name == "Authorization" }?.value == vector.authorization)
    }

    @Test func aSessionTokenIsSignedAndSent() {
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"), region: "eu-west-1", service: "polly")
        let added = signer.signatureHeaders(method: "POST", url: URL(string: "https://polly.eu-west-1.amazonaws.com/v1/speech")!, headers: [], body: [])
        #expect(added.first { $0.name == "X-Amz-Security-Token" }?.value == "token")
        #expect(added.first { $0.name == "Authorization" }?.value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token") == true)
        #expect(added.first { $0.name == "Authorization" }?.value.contains("/eu-west-1/polly/aws4_request") == true)
    }

    /// The example of "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)"
    /// in the Amazon S3 API Reference, with the URL and signature AWS publishes.
    @Test func presignsAsAWSPublished() throws {
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        let url = signer.presignedURL(
            try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")), expires: 86_400, payloadHash: "UNSIGNED-PAYLOAD",
            date: try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z")))
        #expect(
            url.absoluteString == """
                https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z\
                &X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
                &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
                """)
    }

    @Test func aPresignedURLSignsItsOwnQueryThePortAndTheSessionToken() throws {
        let signer = AWSSigner(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "to/ken+="), region: "eu-west-1", service: "transcribe")
        let stream = try #require(
            URL(string: "wss://transcribestreaming.eu-west-1.amazonaws.com:8443/stream-transcription-websocket?language-code=en-US&sample-rate=16000"))
        let url = signer.presignedURL(stream, expires: 300, payloadHash: AWSSigner.payloadHash([]))
        let query = try #require(url.query)
        #expect(query.hasPrefix("language-code=en-US&sample-rate=16000&X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(query.contains("&X-Amz-Credential=AKID%2F") && query.contains("%2Feu-west-1%2Ftranscribe%2Faws4_request&"))
        #expect(query.contains("&X-Amz-Expires=300&X-Amz-Security-Token=to%2Fken%2B%3D&X-Amz-SignedHeaders=host&X-Amz-Signature="))

        // What was signed: everything in the URL but the signature, the port in the host.
        let unsigned = try #require(URL(string: url.absoluteString.components(separatedBy: "&X-Amz-Signature=")[0]))
        let request = signer.canonicalRequest(method: "GET", url: unsigned, headers: [], payloadHash: AWSSigner.payloadHash([])).text.split(separator: "\n")
        #expect(request[2].hasPrefix("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F"))
        #expect(request[2].hasSuffix("&X-Amz-Security-Token=to%2Fken%2B%3D&X-Amz-SignedHeaders=host&language-code=en-US&sample-rate=16000"))
        #expect(request[3] == "host:transcribestreaming.eu-west-1.amazonaws.com:8443")
        #expect(request.last == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
