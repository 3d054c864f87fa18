import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `dragoman serve` in a child process with its own data directory, for benchmarks that must
/// not share a process (or its CPU accounting) with the load they measure.
final class ServerProcess {
    let process = Process()
    let dataDirectory: String
    let key: String
    private(set) var port = 0

    /// Creates a key and starts the server on a free port; returns once it listens.
    /// - Parameter options: given to both `dragoman keys create` and `dragoman serve` (`--database URL`).
    init(settings: [String] = [], options: [String] = []) async throws {
        dataDirectory = NSTemporaryDirectory() + "dragoman-bench-" + UUID().uuidString
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        key = try Self.run(executable, ["keys", "create", "--name", "bench", "--data-dir", dataDirectory] + options)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let output = Pipe()
        process.executableURL = executable
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory, "--log-level", "warning"] + options + settings.flatMap { ["--set", $0] }
        process.standardOutput = output
        try process.run()
        let reader = output.fileHandleForReading
        // Read its standard output until it says where it listens, then keep draining it.
        let (found, printed) = await Task.detached { () -> (Int, String) in
            var buffer = ""
            while true {
                let data = reader.availableData
                if data.isEmpty { return (0, buffer) }
                buffer += String(decoding: data, as: UTF8.self)
                if let match = buffer.firstMatch(of: /listening on http:\/\/[^:\s]+:(\d+)/) {
                    let port = Int(match.1) ?? 0
                    // A thread of its own: a blocking read in a task would hold one of the few
                    // threads of the concurrency pool for as long as the server runs.
                    Thread.detachNewThread { while !reader.availableData.isEmpty {} }
                    return (port, buffer)
                }
            }
        }.value
        port = found
        guard port > 0 else { throw BenchError("the server did not start:\n\(printed)") }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/readyz` answers 200: the database and every supervised sidecar answer.
    func waitUntilReady(timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        let readiness = URL(string: "\(url)/readyz")!
        while Date() < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: readiness), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BenchError("the server was not ready after \(Int(timeout)) s (GET /readyz)")
    }

    /// CPU seconds (user + system) the server has used so far, from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory in bytes, from /proc.
    var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    /// Stops the server as SIGTERM does (a graceful shutdown), or kills it after `patience`.
    func stop(patience: Duration = .seconds(20)) {
        process.terminate()
        // Foundation's waitUntilExit spins a run loop at full CPU; polling costs nothing.
        let deadline = ContinuousClock.now + patience
        while process.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    private static func run(_ executable: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Order statistics of a sample of measurements.
struct Distribution {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    /// The value below which `fraction` of the sample lies (nearest rank).
    func percentile(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var median: Double { percentile(0.5) }
    var largest: Double { sorted.last ?? .nan }
    var count: Int { sorted.count }
}
