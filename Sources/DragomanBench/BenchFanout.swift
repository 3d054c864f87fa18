import ArgumentParser
import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation
import NIOCore
import NIOPosix

/// `dragoman bench fanout`: the options and the measurement.
package struct BenchFanout: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Thousands of listeners on one session: connects per second, publish → receipt delay of captions and speech, server CPU and memory.",
        discussion: """
            Starts `dragoman serve` (embedded engines) in a child process. For each N, on a fresh server: a speaker \
            opens a session; N listeners join, spread over L languages (lean NIO WebSocket clients in this \
            process); the server's resident memory is read before and after they join (memory per idle \
            listener); then the speaker streams the talks in real time and every listener records, for each \
            final caption and each chunk of speech, the time from the server's publishedAt to its arrival.
            """)

    @Option(help: "Comma-separated numbers of listeners; one run each.")
    var listeners: String = "100,1000,5000"

    @Option(help: "Target languages the listeners are spread over.")
    var languages: Int = 3

    @Option(help: "pcm (audioData JSON) or opus (binary frames).")
    var audioFormat: String = "pcm"

    @Flag(
        help:
            "Every listener joins the session's own language and hears the speaker's voice (floor audio); speech delay is mouth to ear, from the speaker's send."
    )
    var floor = false

    @Flag(
        help:
            "Every listener joins Spanish, which two interpreters speak (the talks, in real time), handing over half-way; speech delay is mouth to ear, from the interpreter's send."
    )
    var interpreter = false

    @OptionGroup var talks: TalkOptions

    @Option(help: "Listeners connecting at once.")
    var connectConcurrency: Int = 100

    @Option(help: "Append one JSON line per run to this file (for scripts/plot-fanout.py).")
    var json: String?

    static let targetOrder = ["es", "fr", "ca", "pt", "it", "eo"]

    package init() {}

    package func run() async throws {
        raiseFileLimit()
        let speech = try talks.names.flatMap { try talks.audio($0).samples }
        if floor && interpreter { throw ValidationError("--floor and --interpreter are two different runs.") }
        let targets = floor ? ["en"] : interpreter ? ["es"] : Array(Self.targetOrder.prefix(languages))
        printNow(
            "| listeners | languages | format | connects/s | memory per idle listener | caption delay p50 / p99 / max (ms) | speech delay p50 / p99 / max (ms) | server CPU | speech chunks received | skipped notices |"
        )
        printNow("|---|---|---|---|---|---|---|---|---|---|")
        for count in listeners.split(separator: ",").compactMap({ Int($0) }) {
            let result = try await measure(listeners: count, targets: targets, speech: speech)
            printNow(result.row)
            if let json {
                let line = try JSONEncoder().encode(result.record)
                let handle =
                    FileHandle(forWritingAtPath: json)
                    ?? {
                        FileManager.default.createFile(atPath: json, contents: nil)
                        return FileHandle(forWritingAtPath: json)!
                    }()
                handle.seekToEndOfFile()
                handle.write(line + Data("\n".utf8))
                try handle.close()
            }
        }
    }

    private func measure(listeners count: Int, targets: [String], speech: [Int16]) async throws -> Result {
        let server = try await ServerProcess(settings: [
            "maxListenersPerSession=\(count + 10)", "maxConnectionsPerAddress=0", "connectAttemptsPerMinute=0",
        ])
        defer { server.stop() }
        let address = ServerAddress(server.url)
        let speaker = try await LiveConnection.open(address.webSocketURL(["action": "createSession", "sourceLanguage": "en", "token": server.key]))
        var speakerMessages = speaker.messages.makeAsyncIterator()
        guard let sessionId = await speakerMessages.next()?.json?["sessionId"]?.stringValue else { throw BenchError("no session") }
        let drain = Task { while await speakerMessages.next() != nil {} }
        defer { drain.cancel() }

        try await Task.sleep(for: .seconds(1))
        let baseline = server.residentBytes
        let tally = LoadTally()
        let group = MultiThreadedEventLoopGroup.singleton
        let format = audioFormat
        // Each chunk a listener hears is one frame a person sent, in order.
        let liveVoice = floor || interpreter
        let perTask = (count + connectConcurrency - 1) / connectConcurrency
        let port = server.port
        let connectStart = MonotonicTime.seconds
        let channels = try await withThrowingTaskGroup(of: [any Channel].self) { tasks in
            for first in stride(from: 0, to: count, by: perTask) {
                tasks.addTask {
                    var opened: [any Channel] = []
                    for index in first..<min(first + perTask, count) {
                        let path = address.webSocketPath([
                            "action": "joinSession", "sessionId": sessionId, "targetLanguage": targets[index % targets.count], "audioFormat": format,
                        ])
                        opened.append(try await LoadListener.connect(port: port, path: path, floor: liveVoice, tally: tally, group: group))
                    }
                    return opened
                }
            }
            return try await tasks.reduce(into: []) { $0 += $1 }
        }
        let connectSeconds = MonotonicTime.seconds - connectStart
        progress(
            String(
                format: "%d listeners joined in %.1f s; streaming %.0f s of speech", count, connectSeconds, Double(speech.count) / Double(PCM.speechSampleRate))
        )
        try await Task.sleep(for: .seconds(2))
        let idle = server.residentBytes
        tally.reset()

        let cpuBefore = server.cpuSeconds
        let speechStart = MonotonicTime.seconds
        if interpreter {
            try await interpret(speech, sessionId: sessionId, address: address, key: server.key, tally: tally)
        } else {
            try await RealTimeSender(samples: speech, sampleRate: PCM.speechSampleRate).send(to: speaker) { _ in tally.speakerSentFrame() }
        }
        // The last segment ends at the pause after the talk; leave it time to be spoken.
        speaker.send(binary: ByteBuffer(bytes: PCM.littleEndianBytes([Int16](repeating: 0, count: PCM.speechSampleRate))))
        progress("speech sent; waiting for the last segment")
        try await Task.sleep(for: .seconds(6))
        let cpu = (server.cpuSeconds - cpuBefore) / (MonotonicTime.seconds - speechStart)
        let counts = tally.snapshot
        progress("stopping")
        for channel in channels { channel.close(promise: nil) }
        speaker.close()
        return Result(
            listeners: count, languages: targets.count, format: floor ? "\(audioFormat), floor" : interpreter ? "\(audioFormat), interpreter" : audioFormat,
            connectsPerSecond: Double(count) / connectSeconds,
            idleBytesPerListener: Double(idle - baseline) / Double(count), serverCPU: cpu, counts: counts)
    }

    /// Two interpreters speak `speech` in real time, the first half each, handing over between.
    private func interpret(_ speech: [Int16], sessionId: String, address: ServerAddress, key: String, tally: LoadTally) async throws {
        var booth = try await InterpreterBooth.open(address: address, key: key, sessionId: sessionId, language: "es")
        defer { booth.close() }
        // Whole 100 ms frames on each side of the hand-over.
        let half = speech.count / 2 / (PCM.speechSampleRate / 10) * (PCM.speechSampleRate / 10)
        try await RealTimeSender(samples: Array(speech[..<half]), sampleRate: PCM.speechSampleRate).send(to: booth.first) { _ in tally.speakerSentFrame() }
        let handOverStart = MonotonicTime.seconds
        try await booth.handOver()
        progress(
            String(
                format: "hand-over: the second interpreter was on the air %.1f ms after the first one's last frame",
                (MonotonicTime.seconds - handOverStart) * 1000))
        try await RealTimeSender(samples: Array(speech[half...]), sampleRate: PCM.speechSampleRate).send(to: booth.second) { _ in tally.speakerSentFrame() }
    }

    /// A line on standard error, so the table on standard output stays clean.
    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    struct Result {
        let listeners: Int
        let languages: Int
        let format: String
        let connectsPerSecond: Double
        let idleBytesPerListener: Double
        let serverCPU: Double
        let counts: LoadTally.Counts

        private func delays(_ histogram: DelayHistogram) -> String {
            guard let median = histogram.percentile(0.5), let p99 = histogram.percentile(0.99) else { return "—" }
            return "\(median) / \(p99) / \(histogram.largest)"
        }

        var row: String {
            String(
                format: "| %d | %d | %@ | %.0f | %.1f KB | %@ | %@ | %.0f %% | %d | %d |", listeners, languages, format, connectsPerSecond,
                idleBytesPerListener / 1024, delays(counts.captions), delays(counts.audio), serverCPU * 100, counts.audio.count, counts.skippedNotices)
        }

        var record: [String: JSONValue] {
            [
                "listeners": .int(listeners), "languages": .int(languages), "format": .string(format),
                "connectsPerSecond": .double(connectsPerSecond), "idleBytesPerListener": .double(idleBytesPerListener),
                "serverCPU": .double(serverCPU),
                "captionP50": counts.captions.percentile(0.5).map(JSONValue.int) ?? .null,
                "captionP99": counts.captions.percentile(0.99).map(JSONValue.int) ?? .null,
                "audioP50": counts.audio.percentile(0.5).map(JSONValue.int) ?? .null,
                "audioP99": counts.audio.percentile(0.99).map(JSONValue.int) ?? .null,
                "audioMax": .int(counts.audio.largest), "audioChunks": .int(counts.audio.count), "skippedNotices": .int(counts.skippedNotices),
            ]
        }
    }
}
