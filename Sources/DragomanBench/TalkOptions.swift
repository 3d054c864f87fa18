import ArgumentParser
import DragomanSpeech
import Foundation

/// The recorded talks a benchmark streams as a speaker.
struct TalkOptions: ParsableArguments {
    @Option(help: "Folder of NAME.wav + NAME.txt fixtures.")
    var fixtures: String = "Tests/Fixtures"

    @Option(help: "Comma-separated fixture names.")
    var talks: String = "museum-tour,council-meeting,keynote-opening,church-welcome"

    var names: [String] { talks.split(separator: ",").map(String.init) }

    /// A talk's audio.
    func audio(_ name: String) throws -> WAVFile {
        try WAVFile(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name).wav"))
    }

    /// A talk's reference text.
    func reference(_ name: String) throws -> String {
        try String(contentsOfFile: "\(fixtures)/\(name).txt", encoding: .utf8)
    }
}
