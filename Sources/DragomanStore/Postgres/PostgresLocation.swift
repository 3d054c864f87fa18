import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is, read from a `postgres://user:password@host:port/database` URL
/// (`postgresql://` too; `?sslmode=disable|prefer|require`, `disable` by default).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tlsMode: TLSMode

    /// A URL that is not a PostgreSQL URL.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Throws: `Invalid` naming what is wrong (the password is never repeated).
    public init(url: String) throws(Invalid) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw Invalid(description: "The database must be a postgres:// URL, such as postgres://dragoman@db.local:5432/dragoman.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Invalid(description: "The database URL names no host.")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? TLSMode.disable.rawValue
        guard let tlsMode = TLSMode(rawValue: mode) else {
            throw Invalid(description: "sslmode must be disable, prefer or require, not \"\(mode)\".")
        }
        self.tlsMode = tlsMode
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database ?? "")"
    }

    /// The settings of a pool of connections to it.
    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The settings of one connection to it.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// Opens one connection of its own (not from a pool): for migrations, listening and
    /// session-level advisory locks, which belong to the connection that took them.
    public func connect(logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try connectionConfiguration(), id: Int.random(in: 1...Int(Int32.max)), logger: logger)
    }
}
