import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Starts a Wyoming sidecar (faster-whisper, Piper …) from a configured command and keeps it
/// running: it waits until the sidecar answers `describe`, checks it every few seconds, restarts
/// it when it exits or stops answering (backing off while it keeps failing), and stops it when
/// the server shuts down. A `Service`: it runs in the server's `ServiceGroup`.
public actor SidecarSupervisor: Service {
    /// What the sidecar is, for logs: `whisper`, `piper`.
    public nonisolated let name: String
    /// A shell command line; it must make the sidecar listen on ``address``.
    public nonisolated let command: String
    public nonisolated let address: WyomingAddress
    private let logger: Logger
    private let timing: Timing
    private let warmUp: (@Sendable (WyomingAddress) async throws -> Void)?

    private var process: ChildProcess?
    /// Whether the sidecar answers now.
    public private(set) var isReady = false
    /// The end of what the sidecar wrote (standard output and error), logged when it fails.
    private let errorTail = RecentOutput()

    /// The last kilobyte a process wrote, kept as it writes.
    private final class RecentOutput: Sendable {
        private let text = Mutex("")
        func reset() { text.withLock { $0 = "" } }
        func append(_ bytes: Data) { text.withLock { $0 = String(($0 + String(decoding: bytes, as: UTF8.self)).suffix(1_000)) } }
        var value: String { text.withLock { $0 } }
    }

    /// How long the supervisor waits for things.
    public struct Timing: Sendable {
        /// Seconds a start may take before the sidecar must answer `describe`.
        public var startTimeout = 120.0
        /// Seconds between health checks.
        public var healthInterval = 10.0
        /// Seconds a health check may take.
        public var healthTimeout = 10.0
        /// Health checks missed in a row that make the sidecar be restarted.
        public var missedChecksAllowed = 3
        /// First wait before a restart; it doubles with each failure in a row up to ``maximumRestartDelay``.
        public var restartDelay = 1.0
        public var maximumRestartDelay = 30.0
        /// Seconds a stopping sidecar has between SIGTERM and SIGKILL.
        public var stopGracePeriod = 5.0

        public init() {}
    }

    /// - Parameter warmUp: a first request made before the sidecar counts as ready, so that what
    ///   it loads lazily (faster-whisper loads its model on the first transcription) is loaded
    ///   before the first speaker needs it.
    public init(
        name: String, command: String, address: WyomingAddress, timing: Timing = Timing(),
        warmUp: (@Sendable (WyomingAddress) async throws -> Void)? = nil, logger: Logger
    ) {
        self.name = name
        self.command = command
        self.address = address
        self.timing = timing
        self.warmUp = warmUp
        var logger = logger
        logger[metadataKey: "sidecar"] = "\(name)"
        self.logger = logger
    }

    /// The process id of the running sidecar, if one runs.
    public var processIdentifier: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    /// Supervises the sidecar until the server shuts down (or the task is cancelled), then stops it.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.supervise() }
        await stopProcess()
    }

    /// Returns once the sidecar answers, waiting at most `timeout` seconds.
    /// - Throws: `WyomingError.notReady` after the timeout.
    public func waitUntilReady(timeout: Double = 60) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !isReady {
            guard ContinuousClock.now < deadline else { throw WyomingError.notReady(name) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func supervise() async {
        var delay = timing.restartDelay
        var failuresInARow = 0
        while !Task.isCancelled {
            if let process = startProcess() {
                self.process = process
                if await becomesHealthy(process) {
                    await warmUpSidecar()
                    logger.info("Sidecar ready", metadata: ["address": "\(address)", "pid": "\(process.processIdentifier)"])
                    isReady = true
                    failuresInARow = 0
                    delay = timing.restartDelay
                    await watch(process)
                    isReady = false
                }
                await stopProcess()
            }
            guard !Task.isCancelled else { return }
            failuresInARow += 1
            logger.error(
                "Sidecar is down; restarting it",
                metadata: [
                    "command": "\(command)", "failuresInARow": "\(failuresInARow)", "restartIn": "\(delay)s",
                    "stderr": "\(errorTail.value)",
                ])
            Counter(label: "dragoman_engine_restarts_total", dimensions: [("engine", name)]).increment()
            try? await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, timing.maximumRestartDelay)
        }
    }

    /// Starts the command with `posix_spawn` (`ChildProcess`, as the Apertium pipelines are), in
    /// a process group of its own, with what it writes going to `errorTail`. Not Foundation's
    /// `Process`, whose `run()` crashed with thousands of sockets open.
    private func startProcess() -> ChildProcess? {
        errorTail.reset()
        do {
            // exec: the sidecar replaces the shell, so signals reach it; it reads no input.
            let process = try ChildProcess(shellCommand: "exec \(command) 2>&1 </dev/null")
            try? process.input.close()
            process.output.readabilityHandler = { [errorTail] handle in
                let data = handle.availableData
                // End of file: without this the handler would be called again and again.
                if data.isEmpty { handle.readabilityHandler = nil } else { errorTail.append(data) }
            }
            logger.info("Sidecar started", metadata: ["command": "\(command)", "pid": "\(process.processIdentifier)"])
            return process
        } catch {
            logger.error("Sidecar command could not be started", metadata: ["command": "\(command)", "error": "\(error)"])
            return nil
        }
    }

    /// Waits until a new sidecar answers, or gives up when it exits or the start timeout passes.
    private func becomesHealthy(_ process: ChildProcess) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timing.startTimeout)
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled {
            if await WyomingHealthCheck.answers(address, timeout: timing.healthTimeout) { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    private func warmUpSidecar() async {
        guard let warmUp else { return }
        do {
            try await warmUp(address)
        } catch {
            // Only the first request is slower for it.
            logger.warning("Sidecar warm-up failed", metadata: ["error": "\(error)"])
        }
    }

    /// Returns when the sidecar exits, misses too many health checks, or the task is cancelled.
    private func watch(_ process: ChildProcess) async {
        var missed = 0
        var nextCheck = ContinuousClock.now + .seconds(timing.healthInterval)
        while process.isRunning, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
            guard ContinuousClock.now >= nextCheck else { continue }
            nextCheck = ContinuousClock.now + .seconds(timing.healthInterval)
            if await WyomingHealthCheck.answers(address, timeout: timing.healthTimeout) {
                missed = 0
            } else {
                missed += 1
                logger.warning("Sidecar missed a health check", metadata: ["missedInARow": "\(missed)"])
                if missed >= timing.missedChecksAllowed { return }
            }
        }
        if !process.isRunning {
            logger.error("Sidecar exited", metadata: ["status": "\(process.terminationStatus ?? -1)"])
        }
    }

    /// Stops the sidecar: SIGTERM, then SIGKILL after the grace period, to its whole process
    /// group; waits without blocking the actor's thread.
    private func stopProcess() async {
        guard let process else { return }
        self.process = nil
        isReady = false
        process.signalGroup(SIGTERM)
        await Self.waitForExit(of: process, seconds: timing.stopGracePeriod)
        process.killGroup()
        await Self.waitForExit(of: process, seconds: 5)
        logger.info("Sidecar stopped")
    }

    /// Returns when `process` has exited (and is collected) or after `seconds`. Not cancellable:
    /// a sidecar is stopped even by a cancelled supervisor.
    private static func waitForExit(of process: ChildProcess, seconds: Double) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline {
            await withCheckedContinuation { done in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { done.resume() }
            }
        }
    }
}
