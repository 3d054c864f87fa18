import Foundation

/// Prints a line at once: `print` buffers when standard output is a pipe or a file, and the
/// server runs on, so what it says at start would stay unseen (and a benchmark's table rows would
/// only appear at its end).
package func printNow(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
