import CEspeakNG
import Dispatch
import Foundation
import Synchronization

/// The process's one eSpeak NG synthesizer, and the only code that calls it.
///
/// eSpeak NG keeps one global, thread-unsafe synthesizer per process, so every call goes
/// through one serial dispatch queue. Synthesis blocks that queue's thread, not Swift's
/// cooperative pool: in `AUDIO_OUTPUT_SYNCHRONOUS` mode `espeak_Synth` returns only when done,
/// calling back with audio as it goes, and each callback's audio is passed on at once.
final class EspeakEngine: Sendable {
    /// Initialized on first use; eSpeak NG cannot be initialized twice.
    static let shared = Result { () throws(EspeakError) in try EspeakEngine() }

    /// Samples per second of the audio eSpeak NG produces (22,050).
    let sampleRate: Int
    private let queue: DispatchQueue
    /// The voice eSpeak NG has loaded; read and written on `queue` only.
    private let loadedVoice = Mutex<String?>(nil)

    private init() throws(EspeakError) {
        let queue = DispatchQueue(label: "dragoman.espeak")
        let rate = queue.sync {
            // 100 ms buffers: the first audio of a sentence goes out after 100 ms of it is ready.
            let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, nil, espeakINITIALIZE_DONT_EXIT)
            // A C function pointer cannot capture; each job travels as the call's user data.
            espeak_SetSynthCallback { samples, count, events in
                guard let job = events?.pointee.user_data.map({ Unmanaged<EspeakJob>.fromOpaque($0).takeUnretainedValue() })
                else { return 0 }
                if job.isCancelled { return 1 }  // non-zero aborts the synthesis
                if let samples, count > 0 { job.continuation.yield(Array(UnsafeBufferPointer(start: samples, count: Int(count)))) }
                return 0
            }
            return rate
        }
        guard rate > 0 else { throw .initializationFailed }
        sampleRate = Int(rate)
        self.queue = queue
    }

    /// Whether `voice` loads.
    func canLoad(_ voice: String) -> Bool {
        queue.sync { (try? load(voice)) != nil }
    }

    /// Speaks `text` with `voice`; the stream yields audio while eSpeak NG produces it.
    func speak(_ text: String, voice: String) -> AsyncThrowingStream<[Int16], any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [Int16].self, throwing: (any Error).self)
        let job = EspeakJob(continuation: continuation)
        continuation.onTermination = { _ in job.cancel() }
        queue.async { [self] in
            do {
                try load(voice)
                try synthesize(text, job)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// Loads `voice` unless it is loaded already (loading takes milliseconds). On `queue` only.
    private func load(_ voice: String) throws(EspeakError) {
        guard loadedVoice.withLock({ $0 }) != voice else { return }
        guard espeak_SetVoiceByName(voice) == EE_OK else {
            loadedVoice.withLock { $0 = nil }
            throw .voiceUnavailable(voice)
        }
        loadedVoice.withLock { $0 = voice }
    }

    /// Runs one synthesis to its end. On `queue` only.
    private func synthesize(_ text: String, _ job: EspeakJob) throws(EspeakError) {
        guard !job.isCancelled else { return }
        // ENDPAUSE adds a sentence's pause after the text, so consecutive segments sound like
        // separate sentences (and the audio is exactly what the espeak-ng command makes).
        let status = withExtendedLifetime(job) {
            text.withCString { cText in
                espeak_Synth(
                    cText, strlen(cText) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8 | espeakENDPAUSE), nil,
                    Unmanaged.passUnretained(job).toOpaque())
            }
        }
        guard status == EE_OK else { throw .synthesisFailed(status: status.rawValue) }
    }
}

/// One synthesis in progress: where its audio goes, and whether its listener left.
final class EspeakJob: Sendable {
    let continuation: AsyncThrowingStream<[Int16], any Error>.Continuation
    private let cancelled = Atomic(false)

    init(continuation: AsyncThrowingStream<[Int16], any Error>.Continuation) {
        self.continuation = continuation
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
}
