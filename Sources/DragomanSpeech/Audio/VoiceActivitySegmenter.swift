import DragomanCore

/// Cuts a live stream of 16 kHz speech into segments, one utterance each, for recognition.
///
/// A value-type state machine: feed it audio with ``process(_:)`` and act on the events it
/// returns. Detection is energy-based against an adaptive noise floor (the quietest frame of
/// the last few seconds), so it follows a room getting noisier or quieter without tuning.
///
/// A segment ends at a pause, or when it reaches the maximum length: speakers who never
/// pause would otherwise get no captions at all. Near that length the segmenter holds the
/// most recent audio back briefly, so it can cut at the quietest moment (likely a gap between
/// words) instead of in the middle of one.
public struct VoiceActivitySegmenter: Sendable {
    /// Tuning; the defaults suit a speaker at a microphone.
    public struct Configuration: Sendable {
        /// Samples per second of the input.
        public var sampleRate = PCM.speechSampleRate
        /// Length of the frames whose level is measured.
        public var frameDuration: Duration = .milliseconds(20)
        /// How far above the noise floor, in dB, a frame must be to start speech.
        public var onsetMargin = 12.0
        /// How far above the noise floor, in dB, a frame must be to keep speech going; lower
        /// than ``onsetMargin`` so soft word endings do not count as pauses.
        public var releaseMargin = 6.0
        /// Frames quieter than this (dBFS) are never speech, however quiet the room.
        public var minimumSpeechLevel = -50.0
        /// How long the level must stay above the onset threshold to start a segment, so
        /// clicks and knocks do not.
        public var onsetDuration: Duration = .milliseconds(60)
        /// Audio from before the onset included at the start of a segment, so the recognizer
        /// hears the first soft consonant.
        public var preRollDuration: Duration = .milliseconds(300)
        /// The silence that ends a segment.
        public var pauseDuration: Duration = .milliseconds(500)
        /// The longest segment; a longer stretch of speech is cut.
        public var maximumSegmentDuration: Duration = .seconds(12)
        /// How far back from the maximum length to look for the quietest moment to cut at;
        /// the audio in this span is held back until the cut.
        public var cutSearchDuration: Duration = .seconds(2)
        /// How far back the noise floor looks for the quietest frame.
        public var noiseFloorWindow: Duration = .seconds(5)

        /// The defaults.
        public init() {}
    }

    /// What the caller should do next.
    public enum Event: Sendable, Equatable {
        /// A segment began; `atSample` is its first sample's offset in the stream (pre-roll
        /// included), counted from the first sample ever processed.
        case speechStarted(atSample: Int)
        /// More audio of the current segment, to feed to the recognizer.
        case audio([Int16])
        /// The current segment is complete: finish its recognition.
        case segmentEnded(SegmentEnd)
    }

    /// Why a segment ended.
    public enum SegmentEnd: Sendable, Equatable {
        /// The speaker paused.
        case pause
        /// The segment reached ``Configuration/maximumSegmentDuration``.
        case maximumLength
        /// ``VoiceActivitySegmenter/finish()`` was called during speech.
        case endOfStream
    }

    /// One measured frame.
    private struct Frame {
        var samples: [Int16]
        var level: Double
    }

    /// The settings in use.
    public let configuration: Configuration

    private let frameLength: Int
    private let onsetFrames: Int
    private let preRollFrames: Int
    private let pauseFrames: Int
    private let maximumSegmentLength: Int
    private let holdFromLength: Int

    /// Input not yet making a whole frame.
    private var pending: [Int16] = []
    /// Samples in all frames measured so far.
    private var streamOffset = 0
    /// Frames the noise floor looks back over.
    private let levelWindow: Int
    /// The levels of recent frames, a ring buffer for the noise floor.
    private var recentLevels: [Double] = []
    private var nextLevelIndex = 0

    /// Whether a segment is in progress.
    public private(set) var isInSpeech = false
    /// While idle: the latest frames, kept for pre-roll.
    private var idleFrames: [Frame] = []
    /// While idle: consecutive frames above the onset threshold.
    private var onsetRun = 0
    /// While in speech: samples in the current segment so far, held ones included.
    private var segmentLength = 0
    /// While in speech: consecutive frames below the release threshold.
    private var quietRun = 0
    /// While in speech near the maximum length: frames not yet emitted.
    private var heldFrames: [Frame] = []

    /// Creates a segmenter with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let frameSeconds = configuration.frameDuration.inSeconds
        func frames(_ duration: Duration) -> Int { max(1, Int((duration.inSeconds / frameSeconds).rounded())) }
        frameLength = max(1, Int((Double(configuration.sampleRate) * frameSeconds).rounded()))
        onsetFrames = frames(configuration.onsetDuration)
        preRollFrames = frames(configuration.preRollDuration)
        pauseFrames = frames(configuration.pauseDuration)
        maximumSegmentLength = frames(configuration.maximumSegmentDuration) * frameLength
        holdFromLength = maximumSegmentLength - frames(configuration.cutSearchDuration) * frameLength
        levelWindow = frames(configuration.noiseFloorWindow)
        recentLevels.reserveCapacity(levelWindow)
    }

    /// The current noise floor estimate in dBFS (nil before the first frame).
    public var noiseFloor: Double? { recentLevels.min() }

    /// While in speech: seconds since the speaker was last heard (0 while speaking), so a caller
    /// can act on pauses too short to end a segment.
    public var quietDuration: Double { Double(quietRun * frameLength) / Double(configuration.sampleRate) }

    /// Consumes the next stretch of the stream, of any length.
    public mutating func process(_ samples: [Int16]) -> [Event] {
        var events: [Event] = []
        pending += samples
        var start = 0
        while pending.count - start >= frameLength {
            let frameSamples = Array(pending[start..<start + frameLength])
            start += frameLength
            processFrame(Frame(samples: frameSamples, level: PCM.dBFS(frameSamples)), into: &events)
        }
        pending.removeFirst(start)
        return events
    }

    /// Ends the stream: closes a segment in progress (with any buffered audio) and resets to
    /// idle, keeping the noise floor.
    public mutating func finish() -> [Event] {
        var events: [Event] = []
        if isInSpeech {
            Self.emit(heldFrames.flatMap(\.samples) + pending, into: &events)
            events.append(.segmentEnded(.endOfStream))
        }
        streamOffset += pending.count
        pending = []
        isInSpeech = false
        heldFrames = []
        idleFrames = []
        onsetRun = 0
        return events
    }

    private mutating func processFrame(_ frame: Frame, into events: inout [Event]) {
        if recentLevels.count < levelWindow {
            recentLevels.append(frame.level)
        } else {
            recentLevels[nextLevelIndex] = frame.level
            nextLevelIndex = (nextLevelIndex + 1) % levelWindow
        }
        let floor = recentLevels.min()!
        streamOffset += frame.samples.count

        if isInSpeech {
            let voiced = frame.level >= max(floor + configuration.releaseMargin, configuration.minimumSpeechLevel)
            quietRun = voiced ? 0 : quietRun + 1
            segmentLength += frame.samples.count
            if heldFrames.isEmpty && segmentLength <= holdFromLength {
                Self.emit(frame.samples, into: &events)
            } else {
                heldFrames.append(frame)
            }
            if quietRun >= pauseFrames {
                Self.emit(heldFrames.flatMap(\.samples), into: &events)
                heldFrames = []
                events.append(.segmentEnded(.pause))
                isInSpeech = false
                onsetRun = 0
            } else if segmentLength >= maximumSegmentLength {
                cutAtQuietestHeldFrame(into: &events)
            }
        } else {
            idleFrames.append(frame)
            if idleFrames.count > preRollFrames + onsetFrames { idleFrames.removeFirst() }
            let loud = frame.level >= max(floor + configuration.onsetMargin, configuration.minimumSpeechLevel)
            onsetRun = loud ? onsetRun + 1 : 0
            if onsetRun >= onsetFrames {
                let audio = idleFrames.flatMap(\.samples)
                events.append(.speechStarted(atSample: streamOffset - audio.count))
                Self.emit(audio, into: &events)
                idleFrames = []
                isInSpeech = true
                segmentLength = audio.count
                quietRun = 0
            }
        }
    }

    /// Ends the segment after the quietest held frame and starts the next one with the rest.
    private mutating func cutAtQuietestHeldFrame(into events: inout [Event]) {
        // Smooth over neighbours so a single quiet frame inside a word (a stop consonant's
        // closure) weighs less than a real gap between words.
        func smoothedLevel(_ index: Int) -> Double {
            let range = max(0, index - 1)...min(heldFrames.count - 1, index + 1)
            return heldFrames[range].reduce(0) { $0 + $1.level } / Double(range.count)
        }
        let cut = heldFrames.indices.min { smoothedLevel($0) < smoothedLevel($1) } ?? heldFrames.count - 1
        Self.emit(heldFrames[...cut].flatMap(\.samples), into: &events)
        events.append(.segmentEnded(.maximumLength))
        let rest = heldFrames[(cut + 1)...].flatMap(\.samples)
        events.append(.speechStarted(atSample: streamOffset - rest.count))
        Self.emit(rest, into: &events)
        segmentLength = rest.count
        heldFrames = []
    }

    /// Appends audio, merging it into an `.audio` event just before it.
    private static func emit(_ samples: [Int16], into events: inout [Event]) {
        guard !samples.isEmpty else { return }
        if case .audio(let earlier)? = events.last {
            events[events.count - 1] = .audio(earlier + samples)
        } else {
            events.append(.audio(samples))
        }
    }
}
