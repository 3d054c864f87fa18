import ArgumentParser
import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation

struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join a session as a listener; write its captions and a WAV of what a listener heard.",
        discussion:
            "Writes OUT/captions.txt (final captions), OUT/captions.jsonl (every transcript message) and OUT/audio.wav, and stops when the session ends or after --duration seconds."
    )

    @Option(help: "The server, e.g. http://127.0.0.1:8080.")
    var server: String = "http://127.0.0.1:8080"

    @Option(help: "The session id, e.g. golden-eagle-427.")
    var session: String

    @Option(help: "The language to read and hear.")
    var language: String

    @Option(help: "The folder to write into.")
    var out: String

    @Option(help: "The session's passcode, if it has one.")
    var passcode: String?

    @Option(help: "Stop after this many seconds; 0 to wait for the session to end.")
    var duration: Double = 0

    @Flag(help: "Ask for captions only, no audio.")
    var captionsOnly = false

    @Flag(help: "Ask for speech as PCM audioData messages instead of Opus binary frames.")
    var pcm = false

    func run() async throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var query = ["action": "joinSession", "sessionId": session, "targetLanguage": language]
        if let passcode { query["passcode"] = passcode }
        if captionsOnly { query["captionsOnly"] = "true" }
        // Named either way: a bare query reads as the replaced design's example listener.
        query["audioFormat"] = pcm ? "pcm" : "opus"
        let connection = try await LiveConnection.open(ServerAddress(server).webSocketURL(query))
        let captions = try OutputFile(path: out + "/captions.txt")
        let transcripts = try OutputFile(path: out + "/captions.jsonl")
        var audio: WAVStreamWriter?
        var heard = 0.0
        // One decoder for the whole connection: Opus carries state from packet to packet.
        let decoder = try OpusDecoder()
        func write(_ samples: [Int16], rate: Int) throws {
            if audio == nil { audio = try WAVStreamWriter(path: out + "/audio.wav", sampleRate: rate) }
            try audio?.append(samples)
            heard += Double(samples.count) / Double(rate)
            FileHandle.standardError.write(Data(String(format: "\r%.1f s of speech received ", heard).utf8))
        }
        let deadline = duration > 0 ? MonotonicTime.seconds + duration : .infinity
        let stopper = Task {
            guard duration > 0 else { return }
            try await Task.sleep(for: .seconds(duration))
            connection.close()
        }
        for await message in connection.messages {
            if let buffer = message.binary, let frame = OpusAudioFrame(bytes: buffer.readableBytesView) {
                for packet in frame.packets { try write(decoder.decode(packet), rate: decoder.sampleRate) }
                continue
            }
            guard let received = message.message else { continue }
            switch received.body {
            case .sessionJoined(let joined):
                printNow("Joined \(session) in \(language): \(joined.title)")
            case .transcript(let caption):
                transcripts.write(received.encoded() + "\n")
                if caption.isFinal {
                    captions.write(caption.text + "\n")
                    printNow("  \(caption.text)")
                }
            case .audioData(let chunk):
                guard let bytes = Data(base64Encoded: chunk.audioData) else { continue }
                try write(PCM.samples(fromLittleEndian: bytes), rate: chunk.sampleRate)
            case .broadcastPaused, .broadcastResumed, .broadcastMuted, .broadcastUnmuted, .speakerDisconnected, .speakerReconnected:
                printNow("  (\(received.type))")
            case .sessionEnded:
                printNow("  (the session ended)")
                connection.close()
            case .error(let error):
                printNow("  error \(error.code.rawValue): \(error.message)")
            default: break
            }
            if MonotonicTime.seconds > deadline { connection.close() }
        }
        stopper.cancel()
        printNow(String(format: "\nWrote %@/captions.txt, captions.jsonl and %@ (%.1f s of speech).", out, audio == nil ? "no audio" : "audio.wav", heard))
    }
}

/// A text file written line by line as messages arrive.
final class OutputFile {
    private let handle: FileHandle

    init(path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    deinit { try? handle.close() }
}
