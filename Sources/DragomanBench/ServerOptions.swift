import ArgumentParser

/// The server a speech benchmark starts and measures.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .customLong("set"),
        help: "A setting of the server under test, KEY=VALUE (repeatable): the engines, e.g. recognizer=wyoming, or unitWords=0.")
    var settings: [String] = []

    @Option(help: "Seconds to wait for the server's /readyz (its sidecars) before measuring.")
    var readyTimeout: Double = 300

    /// Starts `dragoman serve` with the settings and waits until it is ready; the caller stops it.
    func start() async throws -> ServerProcess {
        let server = try await ServerProcess(settings: settings)
        print("Server: \(server.url) (pid \(server.process.processIdentifier)) \(settings.joined(separator: " "))")
        do {
            try await server.waitUntilReady(timeout: readyTimeout)
        } catch {
            server.stop()
            throw error
        }
        return server
    }
}
