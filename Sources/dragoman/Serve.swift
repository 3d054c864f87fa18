import ArgumentParser
import DragomanClient
import DragomanServer
import DragomanStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on its embedded defaults: SQLite in the data directory, in-process engines.",
        discussion: ServerConfiguration.keys.map { key in
            "\(key.name) (\(key.flagName) | \(key.environmentName), default \"\(key.defaultText)\")\n  \(key.summary)"
        }.joined(separator: "\n")
    )

    @Option(help: "Address to listen on (default 127.0.0.1; 0.0.0.0 for the venue network).")
    var host: String?

    @Option(help: "Port (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        var flags: [String: String] = [:]
        if let host { flags["host"] = host }
        if let port { flags["port"] = String(port) }
        if let logLevel { flags["logLevel"] = logLevel }
        let settings = try options.read(extraFlags: flags)

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = settings.logLevel
            return handler
        }
        let logger = Logger(label: "dragoman")

        // The store's connection pool runs beside the server and stops after it.
        try await StoreFactory.withStore(settings) { store in
            if try await store.activeKeyCount() == 0 {
                let key = try await store.createKey(name: "first-operator", role: .operator)
                printNow(
                    """

                    ┌──────────────────────────────────────────────────────────────────────┐
                    │ No speaker key existed, so Dragoman made one. It is shown only once: │
                    │                                                                      │
                    │   \(key.secret.padding(toLength: 67, withPad: " ", startingAt: 0))│
                    │                                                                      │
                    │ Keep it: the speaker console asks for it. More keys: dragoman keys.  │
                    └──────────────────────────────────────────────────────────────────────┘

                    """)
            }
            let engines = try SpeechEngines.configured(settings.engineSettings, logger: logger)
            let app = buildApplication(
                configuration: settings, dependencies: ServerDependencies(store: store, engines: engines, logger: logger)
            ) { port in
                printNow("Dragoman is listening on http://\(settings.host):\(port)  (speaker console: /speak)")
            }
            try await app.runService()
        }
    }
}
