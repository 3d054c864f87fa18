import DragomanSpeech
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

/// The real Whisper and Piper sidecars that `scripts/install-sidecars.sh` installs, for the
/// integration tests. `scripts/test.sh` exports `DRAGOMAN_TEST_SIDECARS` (the folder of their
/// start commands); without it the tests are skipped, with it a missing sidecar fails them.
enum Sidecars {
    static let folder = ProcessInfo.processInfo.environment["DRAGOMAN_TEST_SIDECARS"]
    static var configured: Bool { folder != nil }

    /// The command that starts `whisper` or `piper` listening on `port` of 127.0.0.1.
    static func command(_ name: String, port: Int) throws -> String {
        let path = try #require(folder) + "/\(name)-sidecar"
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: run scripts/install-sidecars.sh")
        // Two threads: CI machines have two cores.
        return "\(path) --uri tcp://127.0.0.1:\(port)" + (name == "whisper" ? " --cpu-threads 2" : "")
    }

    /// A port nobody listens on now.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// A supervisor of the sidecar `name` on a free port.
    static func supervisor(_ name: String) async throws -> SidecarSupervisor {
        let port = try await freePort()
        var logger = Logger(label: "sidecar-test")
        logger.logLevel = .warning
        return SidecarSupervisor(
            name: name, command: try command(name, port: port), address: WyomingAddress(host: "127.0.0.1", port: port),
            warmUp: name == "whisper" ? WyomingRecognizer.warmUp : nil, logger: logger)
    }

    /// Runs `body` while `supervisor` supervises its sidecar, then stops it.
    static func supervising<Value>(_ supervisor: SidecarSupervisor, _ body: () async throws -> Value) async throws -> Value {
        let running = Task { await supervisor.run() }
        defer { running.cancel() }
        try await supervisor.waitUntilReady(timeout: 180)
        let value = try await body()
        running.cancel()
        await running.value
        return value
    }

    /// The transcript of a whole recording, cut into segments as the server cuts it.
    static func transcribe(_ samples: [Int16], with recognizer: any SpeechRecognizer) async throws -> String {
        var segmenter = VoiceActivitySegmenter()
        var session: (any RecognitionSession)?
        var texts: [String] = []
        for event in segmenter.process(samples) + segmenter.finish() {
            switch event {
            case .speechStarted: session = try await recognizer.makeSession(language: "en")
            case .audio(let audio): _ = try await session?.feed(audio)
            case .segmentEnded:
                if let session { texts.append(try await session.finish()) }
                session = nil
            }
        }
        return texts.joined(separator: " ")
    }
}
