import Foundation
import Logging

/// Every setting of the server, read in one place (`ConfigurationReader`) from flags, `DRAGOMAN_*`
/// environment variables and an optional JSON config file, in that order of precedence.
/// `ServerConfiguration.keys` documents each one; `docs/configuration.md` and `dragoman serve --help`
/// are made from it.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./dragoman-data"
    /// A `postgres://` URL to share one database among several nodes; empty for SQLite in `dataDirectory`.
    public var database = ""
    /// Seconds between a node's heartbeats in a cluster; its listener counts expire after three missed ones.
    public var clusterHeartbeat: Double = 5
    /// Seconds the database may fail `/readyz`'s ping before the node stops saying it is ready.
    public var databaseOutageGrace: Double = 30
    public var logLevel = Logger.Level.info
    /// Base of the join links shown to speakers; empty to derive it from the request's `Host`.
    public var publicURL = ""

    /// Seconds a session waits for a dropped speaker before it ends.
    public var speakerGracePeriod: Double = 120
    /// Seconds between periodic `sessionStatus` messages to each speaker connection.
    public var statusInterval: Double = 30
    /// Fraction of the listener count that, moved since the last status sent, triggers a status.
    public var statusChangeThreshold = 0.10
    /// Seconds within which a requested status must be answered.
    public var statusAnswerBudget = 0.5

    /// Seconds of quiet that end a segment.
    public var segmentPause = 0.4
    /// Seconds after which a segment is cut even without a pause.
    public var maximumSegmentLength: Double = 12
    /// Seconds a language keeps being translated after its last listener left.
    public var languageLinger: Double = 120
    /// Final captions of each language kept for listeners who reconnect (`epoch` and `since`).
    public var recoveryHistory = 200
    /// Seconds between partial captions of the segment under way.
    public var partialInterval = 0.3
    /// Words after which the speech under way is committed as a unit (translated, stored and
    /// spoken) while the speaker talks; 0 commits only when a segment ends (`StreamingCommitter`).
    public var unitWords = 12
    /// Seconds of synthesized speech sent ahead of the listeners' playback (`SpeechPacer`).
    public var speechLead = 0.5
    /// Bits per second of the Opus speech sent to listeners who ask for it (`OpusEncoder.defaultBitrate`).
    public var opusBitrate = 24_000

    public var maxAudioChunkBytes = 32 * 1024
    public var maxControlMessageBytes = 4 * 1024
    public var maxMessageBytes = 128 * 1024
    public var audioChunksPerSecond: Double = 50
    public var controlMessagesPerSecond: Double = 10
    public var statusQueriesPerSecond: Double = 2
    /// Rejected messages a connection may send in a burst before it is closed for abuse (1008);
    /// the allowance refills at a tenth of this a second.
    public var abuseAllowance: Double = 200
    public var maxListenersPerSession = 500
    /// Sessions one key may have open (not ended) at once; 0 for no limit.
    public var maxOpenSessionsPerKey = 20
    /// Failed connects (bad key, unknown session, wrong passcode) one address may make a minute
    /// before it is answered 429, so session ids cannot be found by brute force.
    public var failedConnectsPerMinute: Double = 30
    /// Open WebSocket connections one address may hold; 0 for no limit.
    public var maxConnectionsPerAddress = 200
    /// WebSocket connects (joins, session creations, refreshes) one address may make a minute; 0 for no limit.
    public var connectAttemptsPerMinute: Double = 600
    /// Origins (`https://host:port`, comma-separated, or `*`) of other sites' pages allowed to connect;
    /// the server's own pages and clients that send no `Origin` always may.
    public var allowedOrigins = ""
    /// The request header that carries the client's address behind a reverse proxy (such as
    /// `X-Forwarded-For`); empty to use the socket's peer.
    public var clientAddressHeader = ""
    /// The reverse proxies (addresses and CIDR blocks, comma-separated) whose
    /// `clientAddressHeader` is believed: the client is the right-most address in it that is not
    /// one of them, and the header of a request from any other peer is ignored.
    public var trustedProxies = "127.0.0.1, ::1"
    /// Hours after a session ends during which its transcript stays open to anyone who could
    /// join it; later one without a passcode needs the owner's key.
    public var transcriptOpenHours: Double = 24
    /// Seconds a new connection has to send its first request's head; 0 for no limit.
    public var httpHeaderTimeout: Double = 10
    /// Seconds a plain HTTP connection may stay idle between requests; 0 for no limit.
    public var httpIdleTimeout: Double = 60
    /// TCP connections (plain HTTP and WebSocket) one peer address may hold, trusted proxies
    /// excepted; 0 for no limit.
    public var maxHTTPConnectionsPerAddress = 256
    /// Seconds between WebSocket pings to every connection; one that sent nothing (not even a
    /// pong) for two intervals is closed. 0 for none.
    public var webSocketPingInterval: Double = 30
    /// Seconds a connection may live before it must refresh; 0 for no limit.
    public var maxConnectionAge: Double = 0
    /// Messages waiting for one slow client before new ones are dropped for it.
    public var outboundQueueLimit = 1024

    /// Which speech engines serve which languages, and how to reach them.
    public var engineSettings = EngineSettings()
    /// The OpenID Connect provider whose tokens speakers may sign in with.
    public var identity = IdentitySettings()

    public init() {}

    /// The SQLite file in the data directory.
    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("dragoman.sqlite") }

    /// The blocks of a comma-separated list of addresses and CIDR blocks; `nil` when one of them
    /// is neither.
    static func addressBlocks(_ list: String) -> [AddressBlock]? {
        var blocks: [AddressBlock] = []
        for entry in list.split(separator: ",") where !entry.allSatisfy(\.isWhitespace) {
            guard let block = AddressBlock(entry) else { return nil }
            blocks.append(block)
        }
        return blocks
    }

    /// The listener page of a session; `authority` is the request's `Host`, used when no
    /// `publicURL` is configured.
    func joinURL(for sessionID: String, authority: String?) -> String {
        pageURL("s/\(sessionID)", authority: authority)
    }

    /// The interpreter page of a session, with the interpreter's token after `#`: browsers never
    /// send the fragment, so the token stays out of every server's log.
    func interpretURL(for sessionID: String, token: String, authority: String?) -> String {
        pageURL("interpret/\(sessionID)", authority: authority) + "#token=\(token)"
    }

    /// The address of `path` on this server as clients reach it: `publicURL`, or else the host
    /// the request named.
    func pageURL(_ path: String, authority: String?) -> String {
        let base = publicURL.isEmpty ? "http://\(authority ?? "\(host):\(port)")" : publicURL
        return "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(path)"
    }
}
