import DragomanCore
@testable import DragomanSpeech
import Foundation
import Testing

/// The SigV4 signer against vectors of AWS's published test suite (`Tests/Fixtures/aws-sigv4-test-suite.json`).
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
            let request = signer.canonicalRequest(method: vector.method, url: url, headers: headers + [(name: "X-Amz-Date", value: "20150830T123600Z")], body: Array(vector.body.utf8))
            #expect(request.text == expected)
        }
        #expect(added.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
        #expect(added.first { $0.name == "Authorization" }?.value == vector.authorization)
    }

    @Test func aSessionTokenIsSignedAndSent() {
        let signer = AWSSigner(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"), region: "eu-west-1", service: "polly")
        let added = signer.signatureHeaders(method: "POST", url: URL(string: "https://polly.eu-west-1.amazonaws.com/v1/speech")!, headers: [], body: [])
        #expect(added.first { $0.name == "X-Amz-Security-Token" }?.value == "token")
        #expect(added.first { $0.name == "Authorization" }?.value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token") == true)
        #expect(added.first { $0.name == "Authorization" }?.value.contains("/eu-west-1/polly/aws4_request") == true)
    }
}
