import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import DragomanSpeech

/// Whisper's window re-decoded for running hypotheses: how often, never two at once, stale
/// snapshots skipped, each hypothesis handed on once.
@Suite struct RedecodeScheduleTests {
    @Test func aDecodeStartsAfterEachIntervalOfNewAudioButNeverWhileOneIsUnderWay() {
        var schedule = RedecodeSchedule(interval: 8_000, shortest: 8_000)
        #expect(schedule.handle(.heard(samples: 4_000)) == nil)
        #expect(schedule.handle(.heard(samples: 4_000)) == 8_000)
        // 1.5 intervals of new audio while the decode is under way: nothing starts.
        #expect(schedule.handle(.heard(samples: 8_000)) == nil)
        #expect(schedule.handle(.heard(samples: 4_000)) == nil)
        // It ends late: the next starts at once on all of it; the snapshot at 16,000 is never decoded.
        #expect(schedule.handle(.decodeEnded) == 20_000)
        #expect(schedule.handle(.decodeEnded) == nil)
        #expect(schedule.handle(.heard(samples: 7_999)) == nil)
        #expect(schedule.handle(.heard(samples: 1)) == 28_000)
    }

    @Test func aDecodeThatEndsEarlyWaitsForTheIntervalAndTheFinalPassStopsThemAll() {
        var schedule = RedecodeSchedule(interval: 16_000, shortest: 8_000)
        #expect(schedule.handle(.heard(samples: 16_000)) == 16_000)
        #expect(schedule.handle(.heard(samples: 1_000)) == nil)
        #expect(schedule.handle(.decodeEnded) == nil)
        #expect(schedule.handle(.heard(samples: 14_000)) == nil)
        #expect(schedule.handle(.finishing) == nil)
        #expect(schedule.handle(.heard(samples: 16_000)) == nil)
        #expect(schedule.handle(.decodeEnded) == nil)
    }

    @Test func aSessionHandsOnEachHypothesisOnceFromOneDecodeAtATime() async throws {
        let service = try await FakeWhisperService.start(decodeTime: .milliseconds(600))
        defer { service.stop() }
        let recognizer = WyomingRecognizer(endpoint: WyomingEndpoint(address: service.address), languages: ["en"], partialInterval: 0.5)
        let session = try await recognizer.makeSession(language: "en")
        var hypotheses: [Int] = []
        // 6 s of audio in 0.1 s chunks, twice as fast as real time: decodes fall behind the audio.
        for _ in 0..<60 {
            if let text = try await session.feed([Int16](repeating: 100, count: 1_600)) { hypotheses.append(try FakeWhisperService.samples(text)) }
            try await Task.sleep(for: .milliseconds(50))
        }
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(100))
            if let text = try await session.feed([]) { hypotheses.append(try FakeWhisperService.samples(text)) }
        }
        #expect(await service.mostDecodesAtOnce == 1)
        #expect(hypotheses.count >= 2, "\(hypotheses)")
        #expect(hypotheses.first.map { $0 >= WindowRedecoder.shortestWindow } == true, "\(hypotheses)")
        // Each decode covers more than half a second more than the one before: none is handed on
        // twice, and a decode lasts longer than half a second of this audio, so the snapshot due
        // while it ran was skipped and the next decode took all the audio heard by its end.
        #expect(zip(hypotheses, hypotheses.dropFirst()).allSatisfy { $1 - $0 > 8_000 }, "\(hypotheses)")
        // The last covers all but less than an interval of the audio (the final pass decodes the rest).
        #expect(hypotheses.last.map { $0 > 96_000 - 8_000 } == true, "\(hypotheses)")
        #expect(try FakeWhisperService.samples(try await session.finish()) == 96_000)
    }

    @Test func withoutAnIntervalASessionIsOneFinalDecode() async throws {
        let service = try await FakeWhisperService.start(decodeTime: .milliseconds(10))
        defer { service.stop() }
        let session = try await WyomingRecognizer(endpoint: WyomingEndpoint(address: service.address), languages: ["en"]).makeSession(language: "en")
        for _ in 0..<20 {
            #expect(try await session.feed([Int16](repeating: 100, count: 1_600)) == nil)
        }
        #expect(try FakeWhisperService.samples(try await session.finish()) == 32_000)
        #expect(await service.mostDecodesAtOnce == 1)
    }
}

/// A Wyoming ASR service for the tests: each connection's transcript says how many samples it
/// was sent ("heard N"), after `decodeTime`; it counts the decodes under way at once.
private actor FakeWhisperService {
    nonisolated let address: WyomingAddress
    private nonisolated let serving: Task<Void, any Error>
    private var decoding = 0
    private(set) var mostDecodesAtOnce = 0

    private init(address: WyomingAddress, serving: Task<Void, any Error>) {
        self.address = address
        self.serving = serving
    }

    static func start(decodeTime: Duration) async throws -> FakeWhisperService {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = try #require(server.channel.localAddress?.port)
        let (services, continuation) = AsyncStream.makeStream(of: FakeWhisperService.self)
        let serving = Task {
            var waiting = services.makeAsyncIterator()
            guard let service = await waiting.next() else { return }
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { try await service.answer(connection, after: decodeTime) }
                    }
                }
            }
        }
        let service = FakeWhisperService(address: WyomingAddress(host: "127.0.0.1", port: port), serving: serving)
        continuation.yield(service)
        continuation.finish()
        return service
    }

    nonisolated func stop() { serving.cancel() }

    static func samples(_ text: String) throws -> Int {
        try #require(Int(text.replacingOccurrences(of: "heard ", with: "")), "transcript: \(text)")
    }

    private nonisolated func answer(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, after decodeTime: Duration) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var decoder = WyomingEvent.Decoder()
            var samples = 0
            for try await bytes in inbound {
                decoder.append(bytes.readableBytesView)
                while let event = try decoder.next() {
                    if event.type == "audio-chunk" { samples += event.payload.count / 2 }
                    guard event.type == "audio-stop" else { continue }
                    await began()
                    try? await Task.sleep(for: decodeTime)
                    await ended()
                    let transcript = WyomingEvent(type: "transcript", data: ["text": .string("heard \(samples)")])
                    try await outbound.write(ByteBuffer(bytes: transcript.encoded()))
                    return
                }
            }
        }
    }

    private func began() {
        decoding += 1
        mostDecodesAtOnce = max(mostDecodesAtOnce, decoding)
    }

    private func ended() { decoding -= 1 }
}
