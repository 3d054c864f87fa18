import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation

/// A talk streamed in real time to a server as a speaker, with one listener per target language,
/// and everything each of them received, timed on arrival.
struct RecordedTalk {
    /// The `MonotonicTime` of the stream's time 0: audio time t was spoken at `start + t`.
    var start: Double
    var speaker: [LiveConnection.Received]
    /// The messages of each target language's listener, in the order of the targets.
    var listeners: [[LiveConnection.Received]]

    /// Creates a session on `server`, joins a listener per language of `targets`, streams `wav`
    /// in real time, and keeps listening for `tail` seconds after it.
    static func record(_ wav: WAVFile, targets: [String], server: ServerProcess, tail: Double) async throws -> RecordedTalk {
        let address = ServerAddress(server.url)
        let speaker = try await LiveConnection.open(
            address.webSocketURL([
                "action": "createSession", "sourceLanguage": "en", "token": server.key, "sampleRate": String(wav.sampleRate),
            ]))
        var speakerMessages = speaker.messages.makeAsyncIterator()
        guard let created = await speakerMessages.next(), let sessionId = created.message?.sessionId else {
            throw BenchError("no session was created")
        }
        var listeners: [LiveConnection] = []
        for language in targets {
            listeners.append(
                try await LiveConnection.open(
                    address.webSocketURL([
                        "action": "joinSession", "sessionId": sessionId, "targetLanguage": language, "audioFormat": "pcm",
                    ])))
        }
        // Everyone reads in the background; the timestamps are taken on arrival.
        let collectors = ([speaker] + listeners).map { connection in
            Task { () -> [LiveConnection.Received] in
                var received: [LiveConnection.Received] = []
                for await message in connection.messages { received.append(message) }
                return received
            }
        }
        let start = try await RealTimeSender(samples: wav.samples, sampleRate: wav.sampleRate).send(to: speaker)
        try await Task.sleep(for: .seconds(tail))
        for connection in [speaker] + listeners { connection.close() }
        var received: [[LiveConnection.Received]] = []
        for collector in collectors { received.append(await collector.value) }
        return RecordedTalk(start: start, speaker: received[0], listeners: Array(received.dropFirst()))
    }
}
