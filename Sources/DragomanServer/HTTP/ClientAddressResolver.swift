import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// The client's address, which the per-address limits count by: the socket's peer, or behind a
/// trusted reverse proxy the right-most address of `clientAddressHeader` that is not itself a
/// trusted proxy. Proxies append the address they got the request from to that header, so the
/// entries left of the last trusted proxy's are whatever the client wrote there; a header on a
/// request that did not come from a trusted proxy is the client's own and ignored.
struct ClientAddressResolver: Sendable {
    let header: String
    let trustedProxies: [AddressBlock]

    init(settings: ServerConfiguration) {
        header = settings.clientAddressHeader
        trustedProxies = ServerConfiguration.addressBlocks(settings.trustedProxies) ?? []
    }

    /// The client's address for a connection from `peer` whose request carried `forwarded`
    /// (every value of the header, in order).
    func clientAddress(peer: String, forwarded: [String]) -> String {
        guard !header.isEmpty, isTrusted(peer) else { return peer }
        var client = peer
        for entry in forwarded.flatMap({ $0.split(separator: ",") }).reversed() {
            let address = entry.trimmingCharacters(in: .whitespaces)
            guard !address.isEmpty else { continue }
            guard isTrusted(address) else { return address }
            client = address
        }
        return client
    }

    /// The client of an HTTP request.
    func clientAddress(of request: Request, context: DragomanRequestContext) -> String {
        let values = HTTPField.Name(header).map { request.headers[values: $0] } ?? []
        return clientAddress(peer: context.clientAddress, forwarded: values)
    }

    /// The client of an upgrade request read by NIO.
    func clientAddress(of head: HTTPRequestHead, peer: String) -> String {
        clientAddress(peer: peer, forwarded: header.isEmpty ? [] : head.headers[header])
    }

    /// Whether `address` is one of the trusted proxies.
    func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
