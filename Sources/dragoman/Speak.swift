import ArgumentParser
import DragomanBench
import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation

struct Speak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream a WAV file to a session as a speaker, in real time, and print the captions that come back.")

    @Option(help: "The server, e.g. http://127.0.0.1:8080.")
    var server: String = "http://127.0.0.1:8080"

    @Option(help: "A speaker key.")
    var key: String

    @Option(help: "A 16-bit mono PCM WAV file (any sample rate; the server resamples).")
    var file: String

    @Option(help: "Reattach to this session instead of creating one.")
    var session: String?

    @Option(help: "The language spoken in the file.")
    var language: String = "en"

    @Option(help: "The title of a new session.")
    var title: String = "dragoman speak"

    @Option(help: "Seconds to wait for the last captions after the file ends.")
    var linger: Double = 3

    @Flag(help: "Send as fast as the server allows, not in real time.")
    var fast = false

    func run() async throws {
        let wav = try WAVFile(contentsOf: URL(fileURLWithPath: file))
        var query = ["action": "createSession", "sourceLanguage": language, "token": key, "title": title, "sampleRate": String(wav.sampleRate)]
        if let session { query["sessionId"] = session }
        let connection = try await LiveConnection.open(ServerAddress(server).webSocketURL(query))
        var messages = connection.messages.makeAsyncIterator()
        guard let first = await messages.next(), first.type == "sessionCreated", let sessionId = first.json?["sessionId"]?.stringValue else {
            throw ValidationError("The server refused the session.")
        }
        printNow("Session \(sessionId) — listeners join at \(first.json?["joinUrl"]?.stringValue ?? "?")")

        let duration = wav.duration
        let printer = Task {
            while let message = await messages.next() {
                switch message.type {
                case "transcript" where message.json?["isFinal"]?.boolValue == true:
                    printNow(
                        "  [\(message.json?["segmentId"].map { "\($0.doubleValue.map { Int($0) } ?? 0)" } ?? "?")] \(message.json?["text"]?.stringValue ?? "")")
                case "error":
                    printNow("  error \(message.json?["code"]?.stringValue ?? ""): \(message.json?["message"]?.stringValue ?? "")")
                case "sessionEnded":
                    printNow("  the session ended")
                    return
                default: break
                }
            }
        }
        var lastReport = -1
        try await RealTimeSender(samples: wav.samples, sampleRate: wav.sampleRate, fast: fast).send(to: connection) { sent in
            guard Int(sent) != lastReport else { return }
            lastReport = Int(sent)
            FileHandle.standardError.write(Data(String(format: "\rsent %5.1f s of %5.1f s", sent, duration).utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try await Task.sleep(for: .seconds(linger))
        connection.close()
        printer.cancel()
        await connection.closed()
        printNow("Done: \(String(format: "%.1f", duration)) s of audio sent to \(sessionId).")
    }
}
