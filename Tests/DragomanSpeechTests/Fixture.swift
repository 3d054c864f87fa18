import DragomanSpeech
import Foundation

/// A recorded sentence set in `Tests/Fixtures`: `NAME.wav` (16 kHz mono) and `NAME.txt`,
/// its reference transcript, one sentence a line.
struct Fixture: CustomStringConvertible, Sendable {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Every fixture present, by name.
    static let all: [Fixture] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".wav") }.sorted().map { Fixture(name: String($0.dropLast(4))) }
    }()

    /// Fixtures whose speaker pauses between sentences (all but the run-on one).
    static var paused: [Fixture] { all.filter { $0.name != "long-run-on" } }

    let name: String
    var description: String { name }

    func audio() throws -> WAVFile {
        try WAVFile(contentsOf: Self.directory.appendingPathComponent("\(name).wav"))
    }

    func sentences() throws -> [String] {
        try String(contentsOf: Self.directory.appendingPathComponent("\(name).txt"), encoding: .utf8)
            .split(whereSeparator: \.isNewline)
            .map(String.init)
    }
}
