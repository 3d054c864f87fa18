import Foundation
import Logging

/// One documented setting: its names in each source and how to apply a value.
public struct ConfigurationKey: Sendable {
    /// The key in the JSON config file, e.g. `speakerGracePeriod`.
    public let name: String
    public let summary: String
    let defaultValue: @Sendable (ServerConfiguration) -> String
    let apply: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void

    /// `DRAGOMAN_SPEAKER_GRACE_PERIOD`, `DRAGOMAN_PUBLIC_URL`.
    public var environmentName: String {
        "DRAGOMAN_" + words.map { $0.uppercased() }.joined(separator: "_")
    }

    /// How to give it on the command line of `dragoman serve`: its own option where it has one
    /// (`--port`, `--data-dir`), else `--set speakerGracePeriod=VALUE`.
    public var flagName: String {
        Self.dedicatedFlags[name] ?? "--set \(name)=VALUE"
    }

    /// The settings `dragoman serve` has an option of their own for.
    static let dedicatedFlags = ["host": "--host", "port": "--port", "logLevel": "--log-level", "dataDirectory": "--data-dir", "database": "--database"]

    /// The name split into words, an acronym being one word: `publicURL` → `public`, `URL`.
    var words: [String] {
        var words: [String] = []
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord =
                character.isUppercase
                && (previous.map { !$0.isUppercase } ?? false || (previous?.isUppercase == true && next?.isLowercase == true))
            if words.isEmpty || startsWord { words.append("") }
            words[words.count - 1].append(character)
        }
        return words
    }

    /// The default, as text.
    public var defaultText: String { defaultValue(ServerConfiguration()) }
}

/// A setting that could not be read.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
}

extension ConfigurationKey {
    static func string(
        _ name: String, _ summary: String, _ path: WritableKeyPath<ServerConfiguration, String> & Sendable
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, summary: summary, defaultValue: { $0[keyPath: path] }) { configuration, text throws(ConfigurationError) in
            configuration[keyPath: path] = text
        }
    }

    static func integer(
        _ name: String, _ summary: String, _ path: WritableKeyPath<ServerConfiguration, Int> & Sendable, minimum: Int = 0
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, summary: summary, defaultValue: { String($0[keyPath: path]) }) { configuration, text throws(ConfigurationError) in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= minimum else {
                throw ConfigurationError(description: "\(name) must be a whole number ≥ \(minimum), not \"\(text)\"")
            }
            configuration[keyPath: path] = value
        }
    }

    static func number(
        _ name: String, _ summary: String, _ path: WritableKeyPath<ServerConfiguration, Double> & Sendable
    ) -> ConfigurationKey {
        ConfigurationKey(name: name, summary: summary, defaultValue: { Self.format($0[keyPath: path]) }) { configuration, text throws(ConfigurationError) in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else {
                throw ConfigurationError(description: "\(name) must be a number ≥ 0, not \"\(text)\"")
            }
            configuration[keyPath: path] = value
        }
    }

    static func logLevel(_ name: String, _ summary: String) -> ConfigurationKey {
        ConfigurationKey(name: name, summary: summary, defaultValue: { $0.logLevel.rawValue }) { configuration, text throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(description: "\(name) must be one of \(levels), not \"\(text)\"")
            }
            configuration.logLevel = level
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension ServerConfiguration {
    /// Every setting, in the order the documentation lists them.
    public static let keys: [ConfigurationKey] =
        [
            .string("host", "Address to listen on; 0.0.0.0 to serve the venue's network.", \.host),
            .integer("port", "TCP port for HTTP and WebSocket; 0 picks a free one.", \.port),
            .string("dataDirectory", "Folder for the SQLite database and other state.", \.dataDirectory),
            .string(
                "database", "postgres://user:password@host:port/name to run several nodes on one PostgreSQL; empty for SQLite in the data directory.",
                \.database),
            .number(
                "clusterHeartbeat", "Seconds between a node's heartbeats on PostgreSQL; a node silent for three is counted out (its listeners expire).",
                \.clusterHeartbeat),
            .number(
                "databaseOutageGrace",
                "Seconds the database may fail /readyz's check before the node reports itself not ready (503); until then it answers 200 \"degraded\".",
                \.databaseOutageGrace),
            .logLevel("logLevel", "trace, debug, info, notice, warning, error or critical."),
            .string("publicURL", "Base URL of join links (e.g. http://10.0.0.5:8080); empty derives it from each request's Host.", \.publicURL),
            .number("speakerGracePeriod", "Seconds a session waits for a dropped speaker to come back before it ends.", \.speakerGracePeriod),
            .number("statusInterval", "Seconds between periodic sessionStatus messages to each speaker connection.", \.statusInterval),
            .number(
                "statusChangeThreshold", "Fraction of the listener count that, moved since the last status sent, sends a status at once.",
                \.statusChangeThreshold),
            .number("statusAnswerBudget", "Seconds within which getSessionStatus is answered.", \.statusAnswerBudget),
            .number("segmentPause", "Seconds of quiet that end a segment of speech (a final caption).", \.segmentPause),
            .number("maximumSegmentLength", "Seconds after which a segment is cut even if the speaker does not pause.", \.maximumSegmentLength),
            .number(
                "languageLinger",
                "Seconds a language keeps being translated (captions, stored) after its last listener leaves, so one who reconnects catches up.",
                \.languageLinger),
            .integer(
                "recoveryHistory",
                "Final captions of each language kept for listeners who reconnect with epoch and since; older gaps are filled from the transcript.",
                \.recoveryHistory, minimum: 1),
            .number("partialInterval", "Seconds between partial (provisional) captions of the segment under way.", \.partialInterval),
            .integer(
                "unitWords",
                "Words after which the speech under way is committed (translated, stored, spoken) while the speaker talks; units also end at short pauses and punctuation. Whisper re-decoding takes at most 10. 0 commits only when a segment ends.",
                \.unitWords),
            .number(
                "speechLead", "Seconds of synthesized speech sent ahead of the listeners' playback; the rest of a segment follows at the pace it is played.",
                \.speechLead),
            .integer("opusBitrate", "Bits per second of the Opus speech sent to listeners who ask for audioFormat=opus.", \.opusBitrate, minimum: 6_000),
            .integer("maxAudioChunkBytes", "Largest audio chunk (binary frame, or decoded sendAudio) in bytes.", \.maxAudioChunkBytes, minimum: 2),
            .integer("maxControlMessageBytes", "Largest control message in bytes.", \.maxControlMessageBytes, minimum: 64),
            .integer("maxMessageBytes", "Largest message of any kind in bytes; a larger one closes the connection (1009).", \.maxMessageBytes, minimum: 1024),
            .number("audioChunksPerSecond", "Audio chunks a speaker connection may send a second.", \.audioChunksPerSecond),
            .number("controlMessagesPerSecond", "Control messages a connection may send a second.", \.controlMessagesPerSecond),
            .number("statusQueriesPerSecond", "getSessionStatus requests a speaker connection may send a second.", \.statusQueriesPerSecond),
            .number("abuseAllowance", "Rejected messages a connection may send in a burst before it is closed (1008).", \.abuseAllowance),
            .integer("maxListenersPerSession", "Listeners one session admits.", \.maxListenersPerSession, minimum: 1),
            .integer(
                "maxOpenSessionsPerKey", "Sessions one speaker key may have open (not ended) at once; 0 for no limit.", \.maxOpenSessionsPerKey),
            .number("failedConnectsPerMinute", "Failed connects an address may make a minute before it gets 429.", \.failedConnectsPerMinute),
            .integer(
                "maxConnectionsPerAddress", "Open WebSocket connections one client address may hold; 0 for no limit.", \.maxConnectionsPerAddress, minimum: 0),
            .number(
                "connectAttemptsPerMinute", "WebSocket connects one client address may make a minute (429 beyond); 0 for no limit.", \.connectAttemptsPerMinute),
            .string(
                "allowedOrigins",
                "Comma-separated origins (https://host:port) of other sites' pages allowed to open WebSockets and to call the HTTP API "
                    + "(/v1, CORS), or *; the server's own pages always may.",
                \.allowedOrigins),
            .string(
                "clientAddressHeader", "Header with the client's address behind a reverse proxy (e.g. X-Forwarded-For); empty uses the socket's peer.",
                \.clientAddressHeader),
            ConfigurationKey(
                name: "trustedProxies",
                summary:
                    "Reverse proxies (addresses or CIDR blocks, comma-separated) whose clientAddressHeader is believed; the client is the right-most address there that is not one of them.",
                defaultValue: { $0.trustedProxies }
            ) { configuration, text throws(ConfigurationError) in
                guard ServerConfiguration.addressBlocks(text) != nil else {
                    throw ConfigurationError(description: "trustedProxies must list IP addresses or CIDR blocks (10.0.0.0/8), not \"\(text)\"")
                }
                configuration.trustedProxies = text
            },
            .number(
                "transcriptOpenHours",
                "Hours after a session ends during which anyone who could join it may read its transcript; later one without a passcode needs the owner's key.",
                \.transcriptOpenHours),
            .number(
                "httpHeaderTimeout", "Seconds a new connection has to send its first request's head before it is closed; 0 for no limit.", \.httpHeaderTimeout),
            .number(
                "httpIdleTimeout", "Seconds a plain HTTP connection may stay idle between requests before it is closed; 0 for no limit.", \.httpIdleTimeout),
            .integer(
                "maxHTTPConnectionsPerAddress",
                "TCP connections (plain HTTP and WebSocket) one peer address may hold, trusted proxies excepted; more are closed at once. 0 for no limit.",
                \.maxHTTPConnectionsPerAddress),
            .number(
                "webSocketPingInterval",
                "Seconds between WebSocket pings to every connection; one that sent nothing (not even a pong) for two intervals is closed. 0 for none.",
                \.webSocketPingInterval),
            .number("maxConnectionAge", "Seconds a WebSocket connection may live before it must refresh; 0 for no limit.", \.maxConnectionAge),
            .integer("outboundQueueLimit", "Messages queued for one slow client before new ones are dropped for it.", \.outboundQueueLimit, minimum: 16),
        ] + engineKeys + identityKeys
}
