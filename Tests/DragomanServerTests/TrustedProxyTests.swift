import DragomanCore
import Foundation
import Testing

@testable import DragomanServer

/// The client's address behind reverse proxies (issue 14, item 2): the right-most address of the
/// forwarded header that is not a trusted proxy, and the socket's peer when that is not one.
@Suite("Trusted proxies")
struct TrustedProxyTests {
    private func resolver(header: String = "X-Forwarded-For", trusting proxies: String) -> ClientAddressResolver {
        var settings = ServerConfiguration()
        settings.clientAddressHeader = header
        settings.trustedProxies = proxies
        return ClientAddressResolver(settings: settings)
    }

    @Test func rightMostUntrustedAddressIsTheClient() {
        let local = resolver(trusting: "127.0.0.1, ::1")
        // What a client wrote into the header itself is left of what the proxy appended.
        #expect(local.clientAddress(peer: "127.0.0.1", forwarded: ["6.6.6.6, 203.0.113.9"]) == "203.0.113.9")
        #expect(local.clientAddress(peer: "::1", forwarded: ["203.0.113.9"]) == "203.0.113.9")
        #expect(local.clientAddress(peer: "127.0.0.1", forwarded: ["garbage", "203.0.113.9"]) == "203.0.113.9")
        // A chain of proxies, each trusted.
        let chain = resolver(trusting: "10.0.0.0/8, 2001:db8::/32")
        #expect(chain.clientAddress(peer: "10.1.2.3", forwarded: ["6.6.6.6, 198.51.100.7, 10.9.9.9, 2001:db8::5"]) == "198.51.100.7")
        #expect(chain.clientAddress(peer: "::ffff:10.1.2.3", forwarded: ["198.51.100.7"]) == "198.51.100.7")
        // Nothing but trusted proxies: the left-most of them.
        #expect(chain.clientAddress(peer: "10.1.2.3", forwarded: ["10.0.0.9, 10.0.0.8"]) == "10.0.0.9")
    }

    @Test func headerFromAnUntrustedPeerOrWithoutTheSettingIsIgnored() {
        let local = resolver(trusting: "127.0.0.1")
        #expect(local.clientAddress(peer: "198.51.100.7", forwarded: ["203.0.113.9"]) == "198.51.100.7")
        #expect(resolver(trusting: "").clientAddress(peer: "127.0.0.1", forwarded: ["203.0.113.9"]) == "127.0.0.1")
        #expect(resolver(header: "", trusting: "127.0.0.1").clientAddress(peer: "127.0.0.1", forwarded: ["203.0.113.9"]) == "127.0.0.1")
        #expect(local.clientAddress(peer: "127.0.0.1", forwarded: []) == "127.0.0.1")
    }

    @Test func addressBlocks() throws {
        let block = try #require(AddressBlock("192.168.0.0/23"))
        #expect(block.contains("192.168.1.200"))
        #expect(!block.contains("192.168.2.1"))
        #expect(!block.contains("::1"))
        #expect(try #require(AddressBlock("0.0.0.0/0")).contains("8.8.8.8"))
        #expect(try #require(AddressBlock("fd00::/8")).contains("fdab::1"))
        #expect(try #require(AddressBlock(" ::1 ")).contains("0:0::1"))
        for bad in ["10.0.0.0/33", "10.0.0/8", "example.com", "::1/129", "1.2.3.4/x"] {
            #expect(AddressBlock(bad) == nil, "\(bad)")
        }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: ["DRAGOMAN_TRUSTED_PROXIES": "10.0.0.0/8, nginx"]).read() }
        #expect(try ConfigurationReader(environment: ["DRAGOMAN_TRUSTED_PROXIES": "10.0.0.0/8, ::1"]).read().trustedProxies == "10.0.0.0/8, ::1")
    }

    @Test("a client behind the proxy cannot escape the per-address limits with a header of its own")
    func spoofedHeadersDoNotEscapeLimits() async throws {
        try await TestServer.run(configure: {
            $0.clientAddressHeader = "X-Forwarded-For"
            $0.failedConnectsPerMinute = 2
        }) { server in
            // The proxy (127.0.0.1, trusted by default) appends the real client's address.
            func guess(_ number: Int, client: String) async throws -> Int {
                try await server.http(.GET, "/v1/sessions/golden-eagle-10\(number)", headers: [("X-Forwarded-For", "10.\(number).0.1, \(client)")]).code
            }
            var answers: [Int] = []
            for number in 1...3 { answers.append(try await guess(number, client: "203.0.113.9")) }
            #expect(answers == [404, 404, 429])
            // Another listener behind the same proxy has its own allowance.
            let other = try await guess(4, client: "203.0.113.10")
            #expect(other == 404)
        }
    }
}
