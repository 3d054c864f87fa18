import ArgumentParser
import DragomanClient
import DragomanCore
import Foundation

/// `dragoman bench control`: the options and the measurement.
package struct BenchControl: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Control-message round trip, and the time to notify every listener of a session.",
        discussion: """
            Starts `dragoman serve` in a child process, opens a session with N listeners, then measures \
            (1) heartbeat → heartbeatAck round trips on the speaker connection, and (2) for pause/resume \
            broadcasts, the time from the speaker's action to its arrival at each listener, and at the last one.
            """)

    @Option(help: "Listeners in the session.")
    var listeners: Int = 500

    @Option(help: "Heartbeat round trips to time.")
    var roundTrips: Int = 500

    @Option(help: "Broadcast notifications to time.")
    var broadcasts: Int = 20

    package init() {}

    package func run() async throws {
        let server = try await ServerProcess(settings: ["controlMessagesPerSecond=1000", "maxListenersPerSession=\(max(500, listeners))"])
        defer { server.stop() }
        let address = ServerAddress(server.url)
        let speaker = try await LiveConnection.open(address.webSocketURL(["action": "createSession", "sourceLanguage": "en", "token": server.key]))
        var speakerMessages = speaker.messages.makeAsyncIterator()
        guard let sessionId = await speakerMessages.next()?.message?.sessionId else { throw BenchError("no session") }

        let languages = ["es", "fr", "ca"]
        let connectStart = MonotonicTime.seconds
        var audience: [LiveConnection] = []
        for index in 0..<listeners {
            audience.append(
                try await LiveConnection.open(
                    address.webSocketURL([
                        "action": "joinSession", "sessionId": sessionId, "targetLanguage": languages[index % languages.count], "audioFormat": "pcm",
                    ])))
        }
        let connectSeconds = MonotonicTime.seconds - connectStart
        print(String(format: "%d listeners connected in %.2f s (%.0f a second, one at a time)", listeners, connectSeconds, Double(listeners) / connectSeconds))

        // Each listener records when broadcast notifications arrive.
        let arrivals = audience.map { connection in
            Task { () -> [Double] in
                var times: [Double] = []
                for await message in connection.messages where message.type == "broadcastPaused" || message.type == "broadcastResumed" {
                    times.append(message.receivedAt)
                }
                return times
            }
        }

        var roundTripTimes: [Double] = []
        for _ in 0..<roundTrips {
            let sent = MonotonicTime.seconds
            speaker.send(["action": "heartbeat"])
            while let message = await speakerMessages.next(), message.type != "heartbeatAck" {}
            roundTripTimes.append(MonotonicTime.seconds - sent)
        }

        var sentAt: [Double] = []
        for index in 0..<broadcasts {
            try await Task.sleep(for: .milliseconds(100))
            sentAt.append(MonotonicTime.seconds)
            speaker.send(["action": index.isMultiple(of: 2) ? "pauseBroadcast" : "resumeBroadcast"])
        }
        try await Task.sleep(for: .seconds(2))
        for connection in audience + [speaker] { connection.close() }

        var deliveries: [Double] = []
        var lastArrivals: [Double] = []
        for task in arrivals {
            let times = await task.value
            for (index, time) in times.enumerated() where index < sentAt.count { deliveries.append(time - sentAt[index]) }
        }
        for index in sentAt.indices {
            var latest = 0.0
            for task in arrivals {
                let times = await task.value
                if index < times.count { latest = max(latest, times[index] - sentAt[index]) }
            }
            lastArrivals.append(latest)
        }
        let roundTrip = Distribution(roundTripTimes)
        let delivery = Distribution(deliveries)
        let complete = Distribution(lastArrivals)
        print(
            """

            | measure | p50 (ms) | p95 (ms) | max (ms) | samples |
            |---|---|---|---|---|
            \(row("control round trip (heartbeat → heartbeatAck)", roundTrip))
            \(row("broadcast notification, action → each of \(listeners) listeners", delivery))
            \(row("broadcast notification, action → last of \(listeners) listeners", complete))
            """)
        if delivery.count < listeners * broadcasts {
            print("Warning: \(listeners * broadcasts - delivery.count) notifications did not arrive.")
        }
    }

    private func row(_ name: String, _ distribution: Distribution) -> String {
        String(
            format: "| %@ | %.2f | %.2f | %.2f | %d |", name, distribution.median * 1000, distribution.percentile(0.95) * 1000, distribution.largest * 1000,
            distribution.count)
    }
}
