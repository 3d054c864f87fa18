import DragomanCore
import DragomanSpeech
import Foundation

/// `audioQualityWarning` for the replaced design's speaker app, which shows them beside its level
/// meter (docs/protocol.md, "Clients of the replaced design"). The issues and their thresholds are
/// that design's: clipping (over 1 % of a chunk's samples at 98 % of full scale or more), silence
/// (5 s below −50 dBFS), and a low signal-to-noise ratio (under 20 dB over the last 5 s, from the
/// levels of 100 ms frames: the quietest tenth is the noise, the rest the signal). Each issue is
/// told at most once a minute. A value: its input is the speaker's audio and the time, its output
/// the warnings to send.
struct LegacyAudioQuality {
    enum Issue: String, Sendable {
        case clipping, silence
        case lowSNR = "snr_low"
    }

    struct Warning: Equatable {
        var issue: Issue
        /// The measure of the issue: percent of samples clipped, seconds of silence, or dB.
        var value: Double

        /// That design's wording, with what to do about it.
        var message: String {
            let value = String(format: "%.1f", self.value)
            return switch issue {
            case .clipping: "Audio is clipping (\(value)%). Please reduce your microphone volume or move further away."
            case .silence: "Silence detected: No audio for \(Int(self.value)) seconds. Check if your microphone is muted or disconnected."
            case .lowSNR: "Audio quality is low (SNR: \(value) dB). Try moving closer to your microphone or reducing background noise."
            }
        }
    }

    static let clippingLevel = 32_767 * 98 / 100
    static let clippingPercent = 1.0
    static let silenceLevel = -50.0
    static let silenceSeconds = 5.0
    static let lowSNR = 20.0
    static let snrFrames = 50
    static let quietSeconds = 60.0

    private var silentSeconds = 0.0
    /// The RMS (0...1) of the last `snrFrames` frames of 100 ms, and the samples of the next one.
    private var frameLevels: [Double] = []
    private var frame: [Int16] = []
    private var framesSinceCheck = 0
    private var lastTold: [Issue: Double] = [:]

    /// Reads a chunk of the speaker's audio at `now` (seconds of a monotonic clock).
    mutating func inspect(_ samples: [Int16], sampleRate: Int, now: Double) -> [Warning] {
        var found: [Warning] = []
        let clipped = samples.count { Int(abs(Int32($0))) >= Self.clippingLevel }
        let clippedPercent = samples.isEmpty ? 0 : Double(clipped) * 100 / Double(samples.count)
        if clippedPercent > Self.clippingPercent { found.append(Warning(issue: .clipping, value: clippedPercent)) }

        silentSeconds = PCM.dBFS(samples) < Self.silenceLevel ? silentSeconds + Double(samples.count) / Double(sampleRate) : 0
        if silentSeconds >= Self.silenceSeconds { found.append(Warning(issue: .silence, value: silentSeconds)) }

        if let snr = measureSNR(samples, frameLength: max(1, sampleRate / 10)), snr < Self.lowSNR {
            found.append(Warning(issue: .lowSNR, value: snr))
        }
        return found.filter { warning in
            guard now - (lastTold[warning.issue] ?? -.infinity) >= Self.quietSeconds else { return false }
            lastTold[warning.issue] = now
            return true
        }
    }

    /// The ratio over the last 5 s, once a second when there are 5 s; `nil` otherwise, and for
    /// silence (which is its own issue) and a steady loud signal (a clean one, as that design had it).
    private mutating func measureSNR(_ samples: [Int16], frameLength: Int) -> Double? {
        frame += samples
        while frame.count >= frameLength {
            frameLevels.append(PCM.rms(frame.prefix(frameLength)))
            frame.removeFirst(frameLength)
            framesSinceCheck += 1
        }
        frameLevels = Array(frameLevels.suffix(Self.snrFrames))
        guard frameLevels.count == Self.snrFrames, framesSinceCheck >= 10 else { return nil }
        framesSinceCheck = 0
        let mean = frameLevels.reduce(0, +) / Double(frameLevels.count)
        let deviation = (frameLevels.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(frameLevels.count)).squareRoot()
        guard 20 * log10(max(mean, 1e-9)) >= Self.silenceLevel, !(deviation < 0.001 && mean > 0.1) else { return nil }
        let noiseLevel = frameLevels.sorted()[frameLevels.count / 10]
        let noise = frameLevels.filter { $0 <= noiseLevel }
        let signal = frameLevels.filter { $0 > noiseLevel }
        guard !signal.isEmpty else { return 0 }
        let power = { (levels: [Double]) in levels.map { $0 * $0 }.reduce(0, +) / Double(levels.count) }
        return 10 * log10(power(signal) / max(power(noise), 1e-10))
    }
}

/// `audioQualityWarning`: `{"issue","value","message"}`.
struct AudioQualityWarning: Encodable {
    var issue: String
    var value: Double
    var message: String

    init(_ warning: LegacyAudioQuality.Warning) {
        issue = warning.issue.rawValue
        value = (warning.value * 10).rounded() / 10
        message = warning.message
    }
}
