import CChildProcess
import Foundation

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
        kill(-processIdentifier, SIGKILL)
    }

    /// Waits for the child to exit and collects its status, so it does not stay a zombie.
    func reap() {
        var status: Int32 = 0
        waitpid(processIdentifier, &status, 0)
    }
}
