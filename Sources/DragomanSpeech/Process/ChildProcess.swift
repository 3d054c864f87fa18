import CChildProcess
import Foundation
import Synchronization

/// A child process that runs a shell command with its standard input and output piped to us,
/// in a process group of its own (so every stage of a pipeline can be killed at once).
///
/// Started with `posix_spawn` (CChildProcess) rather than Foundation's `Process`: on Linux,
/// `Process.run()` crashed in the server with thousands of listener sockets open (seen in the
/// fan-out benchmark). The child gets no descriptor of the server but its pipes.
final class ChildProcess: Sendable {
    let processIdentifier: pid_t
    /// The child's standard input.
    let input: FileHandle
    /// The child's standard output.
    let output: FileHandle
    /// The child's wait status once it has been collected.
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `/bin/sh -c command`.
    /// - Throws: `POSIXError` when the pipes or the process cannot be made.
    init(shellCommand command: String) throws {
        var pid: pid_t = 0
        var toChild: Int32 = -1
        var fromChild: Int32 = -1
        let status = dragoman_spawn_shell(command, &pid, &toChild, &fromChild)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        processIdentifier = pid
        input = FileHandle(fileDescriptor: toChild, closeOnDealloc: true)
        output = FileHandle(fileDescriptor: fromChild, closeOnDealloc: true)
    }

    /// Kills the whole process group, every stage of the pipeline.
    func killGroup() {
        signalGroup(SIGKILL)
    }

    /// Sends `signal` to the child's process group.
    func signalGroup(_ signal: Int32) {
        guard isRunning else { return }
        kill(-processIdentifier, signal)
    }

    /// Waits for the child to exit and collects its status, so it does not stay a zombie.
    func reap() {
        collect(options: 0)
    }

    /// Whether the child has not exited yet; never blocks (an exited child is collected).
    var isRunning: Bool {
        collect(options: WNOHANG)
        return exitStatus.withLock { $0 == nil }
    }

    /// How the child ended: its exit code, or 128 and the signal that killed it; `nil` while it runs.
    var terminationStatus: Int32? {
        exitStatus.withLock { status in
            status.map { (($0 & 0x7f) == 0) ? (($0 >> 8) & 0xff) : 128 + ($0 & 0x7f) }
        }
    }

    /// Collects the child's status if it has exited (`WNOHANG`) or once it exits (`0`); the lock
    /// is not held while `waitpid` blocks.
    private func collect(options: Int32) {
        guard exitStatus.withLock({ $0 == nil }) else { return }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, options) == processIdentifier else { return }
        exitStatus.withLock { $0 = status }
    }
}
