import ArgumentParser
import DragomanClient
import DragomanCore
import DragomanServer
import DragomanSpeech
import DragomanStore
import Foundation
import Logging

/// `dragoman bench crossnode`: the options and the measurement.
package struct BenchCrossNode: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "crossnode",
        abstract: "What a second node adds to a caption's way to a listener, and the relayed frames a second one PostgreSQL carries.",
        discussion: """
            (1) Starts two `dragoman serve --database URL` in child processes, A and B. A speaker on A streams \
            each fixture in real time; one listener on A and one on B, both in the same language, read every \
            caption and audio chunk. The added latency of a frame is its arrival at B's listener minus its \
            arrival at A's (the same frame: same type and sequence). (2) Writes relayed frames from 1, 4 and 16 \
            senders at once for a few seconds, as nodes do, and counts the NOTIFYs a listening connection gets.
            """)

    @Option(help: "The PostgreSQL database of the nodes (postgres://…).")
    var database: String

    @OptionGroup var talks: TalkOptions

    @Option(help: "The listeners' language.")
    var language: String = "es"

    @Option(help: "Comma-separated numbers of concurrent senders for the throughput part.")
    var senders: String = "1,4,16"

    @Option(help: "Seconds each throughput run lasts.")
    var seconds: Int = 5

    package init() {}

    package func run() async throws {
        try await measureLatency()
        try await measureThroughput()
    }

    private func measureLatency() async throws {
        let nodeA = try await ServerProcess(options: ["--database", database])
        defer { nodeA.stop() }
        let nodeB = try await ServerProcess(options: ["--database", database])
        defer { nodeB.stop() }
        print("Node A: \(nodeA.url), node B: \(nodeB.url)")
        var added: [String: [Double]] = [:]
        for name in talks.names {
            let delays = try await measure(fixture: name, speakerNode: nodeA, otherNode: nodeB)
            print(String(format: "  %@: %d frames matched", name, delays.values.map(\.count).reduce(0, +)))
            added.merge(delays, uniquingKeysWith: +)
        }
        let rows = ["transcript", "audioData"].map { type in
            let distribution = Distribution(added[type] ?? [])
            return String(
                format: "| %@ | %d | %.1f | %.1f | %.1f |", type, distribution.count, distribution.median * 1000,
                distribution.percentile(0.99) * 1000, distribution.largest * 1000)
        }
        print(
            """

            | frames | count | added latency A → B, median (ms) | p99 (ms) | largest (ms) |
            |---|---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
    }

    /// By message type, the arrival at the other node's listener minus the arrival at the speaker
    /// node's, per frame.
    private func measure(fixture name: String, speakerNode: ServerProcess, otherNode: ServerProcess) async throws -> [String: [Double]] {
        let wav = try talks.audio(name)
        let speaker = try await LiveConnection.open(
            ServerAddress(speakerNode.url).webSocketURL([
                "action": "createSession", "sourceLanguage": "en", "token": speakerNode.key, "sampleRate": String(wav.sampleRate),
            ]))
        var speakerMessages = speaker.messages.makeAsyncIterator()
        guard let sessionId = await speakerMessages.next()?.message?.sessionId else { throw BenchError("no session was created") }
        let listeners = try await [speakerNode, otherNode].asyncMap { node in
            try await LiveConnection.open(
                ServerAddress(node.url).webSocketURL(["action": "joinSession", "sessionId": sessionId, "targetLanguage": language, "audioFormat": "pcm"]))
        }
        let collectors = listeners.map { connection in
            Task { () -> [String: Double] in
                var arrivals: [String: Double] = [:]
                for await message in connection.messages {
                    guard let received = message.message, let sequence = received.body.sequence else { continue }
                    arrivals["\(received.type) \(sequence)"] = message.receivedAt
                }
                return arrivals
            }
        }
        // Node A learns of B's listener through PostgreSQL: speak once its status counts both.
        while let message = await speakerMessages.next()?.message {
            if case .sessionStatus(let status) = message.body, status.listenerCount == 2 { break }
        }
        _ = try await RealTimeSender(samples: wav.samples, sampleRate: wav.sampleRate).send(to: speaker)
        try await Task.sleep(for: .seconds(3))
        for connection in [speaker] + listeners { connection.close() }
        let local = await collectors[0].value
        let remote = await collectors[1].value
        var delays: [String: [Double]] = [:]
        for (key, arrival) in local {
            guard let remoteArrival = remote[key], let type = key.split(separator: " ").first else { continue }
            delays[String(type), default: []].append(remoteArrival - arrival)
        }
        return delays
    }

    private func measureThroughput() async throws {
        var logger = Logger(label: "bench-crossnode")
        logger.logLevel = .warning
        let rows = try await PostgresStore.withOpened(url: database, logger: logger) { store in
            var rows: [String] = []
            for count in senders.split(separator: ",").compactMap({ Int($0) }) {
                let rates = try await CrossNodeThroughput.measure(store: store, senders: count, duration: .seconds(seconds), logger: logger)
                rows.append(String(format: "| %d | %.0f | %.0f |", count, rates.framesPerSecond, rates.notificationsPerSecond))
            }
            return rows
        }
        print(
            """

            | senders (nodes relaying at once) | relayed frames written a second | NOTIFYs received a second |
            |---|---|---|
            \(rows.joined(separator: "\n"))
            """)
    }
}

extension Array {
    /// `map` with an asynchronous transform, one element after another.
    func asyncMap<Mapped>(_ transform: (Element) async throws -> Mapped) async rethrows -> [Mapped] {
        var mapped: [Mapped] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
