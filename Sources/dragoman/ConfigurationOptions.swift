import ArgumentParser
import DragomanServer
import Foundation

/// The options every command that reads the server's configuration shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the database (default ./dragoman-data; DRAGOMAN_DATA_DIRECTORY).")
    var dataDirectory: String?

    @Option(help: "A postgres:// URL to share one database among several nodes (default: SQLite in the data directory; DRAGOMAN_DATABASE).")
    var database: String?

    @Option(help: "A JSON config file of settings (default: dragoman.json in the data directory, if present).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Any setting, as KEY=VALUE; repeatable.", valueName: "KEY=VALUE"))
    var settings: [String] = []

    /// Reads the configuration: these flags, then DRAGOMAN_* variables, then the config file.
    func read(extraFlags: [String: String] = [:]) throws -> ServerConfiguration {
        var flags = extraFlags
        if let dataDirectory { flags["dataDirectory"] = dataDirectory }
        if let database { flags["database"] = database }
        for setting in settings {
            guard let separator = setting.firstIndex(of: "=") else {
                throw ValidationError("--set takes KEY=VALUE, not \"\(setting)\"")
            }
            flags[String(setting[..<separator])] = String(setting[setting.index(after: separator)...])
        }
        let environment = ProcessInfo.processInfo.environment
        var file = config
        if file == nil {
            let directory = flags["dataDirectory"] ?? environment["DRAGOMAN_DATA_DIRECTORY"] ?? ServerConfiguration().dataDirectory
            let candidate = (directory as NSString).appendingPathComponent("dragoman.json")
            if FileManager.default.fileExists(atPath: candidate) { file = candidate }
        }
        do {
            return try ConfigurationReader(flags: flags, environment: environment, configFile: file).read()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
