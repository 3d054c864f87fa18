import Foundation

/// Reads the configuration from its three sources. Precedence: flags, then `DRAGOMAN_*`
/// environment variables, then the JSON config file, then the defaults.
public struct ConfigurationReader: Sendable {
    /// Values given as flags, by key name.
    public var flags: [String: String]
    public var environment: [String: String]
    /// A JSON object of key names to values; `nil` for none.
    public var configFile: String?

    public init(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment, configFile: String? = nil) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    public func read() throws -> ServerConfiguration {
        let fileValues = try configFile.map(Self.readFile) ?? [:]
        let known = Set(ServerConfiguration.keys.map(\.name))
        if let unknown = (Array(flags.keys) + Array(fileValues.keys)).first(where: { !known.contains($0) }) {
            throw ConfigurationError(description: "unknown setting \"\(unknown)\"; `dragoman serve --help` lists them")
        }
        var configuration = ServerConfiguration()
        for key in ServerConfiguration.keys {
            if let value = flags[key.name] ?? environment[key.environmentName] ?? fileValues[key.name] {
                try key.apply(&configuration, value)
            }
        }
        return configuration
    }

    private static func readFile(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(description: "cannot read the config file \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(description: "the config file \(path) is not a JSON object")
        }
        return object.mapValues { value in (value as? NSNumber)?.stringValue ?? "\(value)" }
    }
}
