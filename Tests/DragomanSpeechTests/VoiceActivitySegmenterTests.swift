import DragomanSpeech
import Foundation
import Testing

/// A segment as the segmenter reported it.
struct Segment: CustomStringConvertible {
    var start: Int
    var samples: [Int16] = []
    var end: VoiceActivitySegmenter.SegmentEnd?

    var duration: Double { Double(samples.count) / Double(PCM.speechSampleRate) }
    var description: String {
        String(format: "%.2f s + %.2f s, ended by %@", Double(start) / 16_000, duration, "\(end.map { "\($0)" } ?? "nothing")")
    }
}

extension VoiceActivitySegmenter {
    /// Feeds `samples` in 100 ms pieces, as a speaker's browser would send them, and collects the segments.
    mutating func segments(of samples: [Int16]) -> [Segment] {
        var segments: [Segment] = []
        var events: [Event] = []
        for start in stride(from: 0, to: samples.count, by: 1_600) {
            events += process(Array(samples[start..<min(start + 1_600, samples.count)]))
        }
        events += finish()
        for event in events {
            switch event {
            case .speechStarted(let start): segments.append(Segment(start: start))
            case .audio(let audio): segments[segments.count - 1].samples += audio
            case .segmentEnded(let end): segments[segments.count - 1].end = end
            }
        }
        return segments
    }
}

/// Deterministic synthetic audio.
struct SignalGenerator {
    private var state: UInt64 = 0x2545_F491_4F6C_DD1D

    /// White noise with peaks of about `amplitude`.
    mutating func noise(seconds: Double, amplitude: Double) -> [Int16] {
        (0..<Int(seconds * 16_000)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int16(amplitude * (Double(state >> 33) / Double(1 << 31) * 2 - 1))
        }
    }

    /// A "voice": a 220 Hz tone at `amplitude`, swelling and fading four times a second
    /// like syllables (down to a tenth of it), over faint noise.
    mutating func voice(seconds: Double, amplitude: Double) -> [Int16] {
        let hiss = noise(seconds: seconds, amplitude: 30)
        return hiss.indices.map {
            let time = Double($0) / 16_000
            let syllables = 0.55 + 0.45 * sin(2 * .pi * 4 * time)
            return Int16(amplitude * syllables * sin(2 * .pi * 220 * time)) &+ hiss[$0]
        }
    }
}

@Suite struct VoiceActivitySegmenterTests {
    @Test func separatesUtterancesAtPauses() {
        var signal = SignalGenerator()
        var audio = signal.noise(seconds: 1, amplitude: 30)
        for _ in 0..<3 {
            audio += signal.voice(seconds: 1.5, amplitude: 6_000)
            audio += signal.noise(seconds: 1, amplitude: 30)
        }
        var segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio)
        #expect(segments.count == 3)
        #expect(segments.allSatisfy { $0.end == .pause })
        // Each holds its 1.5 s of voice, 300 ms of pre-roll and about 500 ms of the pause.
        #expect(segments.allSatisfy { $0.duration > 2.1 && $0.duration < 2.5 })
        // The first starts about 300 ms (pre-roll) before the voice does, at 1 s.
        #expect(abs(Double(segments[0].start) / 16_000 - 0.7) < 0.05)
        #expect(segments.map(\.start) == segments.map(\.start).sorted())
    }

    @Test func shortPausesAndClicksDoNotSplitOrStartSegments() {
        var signal = SignalGenerator()
        var audio = signal.noise(seconds: 1, amplitude: 30)
        audio += [Int16](repeating: 20_000, count: 320)  // a 20 ms click
        audio += signal.noise(seconds: 1, amplitude: 30)
        audio += signal.voice(seconds: 1, amplitude: 6_000)
        audio += signal.noise(seconds: 0.3, amplitude: 30)  // a breath between words
        audio += signal.voice(seconds: 1, amplitude: 6_000)
        audio += signal.noise(seconds: 1, amplitude: 30)
        var segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio)
        #expect(segments.count == 1)
        #expect(abs(Double(segments[0].start) / 16_000 - 1.72) < 0.05)
    }

    @Test func followsARisingNoiseFloor() throws {
        var signal = SignalGenerator()
        // A fan starts: the noise rises by 20 dB and stays. Its onset reads as speech, but only
        // until the noise floor (the quietest frame of the last 5 s) has caught up.
        let quiet = signal.noise(seconds: 1, amplitude: 30)
        let fan = signal.noise(seconds: 8, amplitude: 300)
        var audio = quiet + fan
        audio += signal.voice(seconds: 1.5, amplitude: 8_000) + signal.noise(seconds: 1, amplitude: 300)
        var segmenter = VoiceActivitySegmenter()
        _ = segmenter.process(quiet)
        let quietFloor = try #require(segmenter.noiseFloor)
        _ = segmenter.process(fan)
        #expect(!segmenter.isInSpeech)
        #expect(abs(segmenter.noiseFloor! - quietFloor - 20) < 2)
        segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio)
        #expect(segments.count == 2)
        #expect(segments.allSatisfy { $0.end == .pause })
        #expect(segments[0].duration < 6)
        // The voice after it is still found, as its own segment.
        #expect(abs(Double(segments[1].start) / 16_000 - 8.7) < 0.1)
    }

    @Test func cutsEndlessSpeechAtTheQuietestMomentNearTheMaximum() {
        var signal = SignalGenerator()
        // 11 s of speech, an 80 ms gap between words, 6 more seconds, then a pause.
        var audio = signal.noise(seconds: 0.5, amplitude: 30)
        audio += signal.voice(seconds: 11, amplitude: 6_000)
        audio += signal.noise(seconds: 0.08, amplitude: 30)
        audio += signal.voice(seconds: 6, amplitude: 6_000)
        audio += signal.noise(seconds: 1, amplitude: 30)
        var segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio)
        #expect(segments.map(\.end) == [.maximumLength, .pause])
        // The cut falls in the gap, 11.5 to 11.58 s into the stream.
        let cut = Double(segments[1].start) / 16_000
        #expect(cut > 11.5 && cut < 11.6)
        #expect(segments[0].start + segments[0].samples.count == segments[1].start)  // nothing lost
        #expect(segments.allSatisfy { $0.duration <= 12 })
    }

    @Test func finishClosesASegmentInProgress() {
        var signal = SignalGenerator()
        var segmenter = VoiceActivitySegmenter()
        let audio = signal.noise(seconds: 0.5, amplitude: 30) + signal.voice(seconds: 1.01, amplitude: 6_000)
        let segments = segmenter.segments(of: audio)
        #expect(segments.map(\.end) == [.endOfStream])
        #expect(segments[0].start + segments[0].samples.count == audio.count)
    }

    @Test(arguments: Fixture.paused)
    func segmentsFixturesIntoSentences(_ fixture: Fixture) throws {
        let audio = try fixture.audio()
        var segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio.samples)
        let sentences = try fixture.sentences()
        print("\(fixture): \(sentences.count) sentences, \(segments.count) segments: \(segments)")
        #expect(abs(segments.count - sentences.count) <= 1)
        #expect(segments.allSatisfy { $0.end == .pause || $0.end == .endOfStream })
    }

    @Test func cutsTheRunOnFixtureAtANaturalBreak() throws {
        let audio = try Fixture(name: "long-run-on").audio()
        var segmenter = VoiceActivitySegmenter()
        let segments = segmenter.segments(of: audio.samples)
        print("long-run-on: \(segments)")
        #expect(segments.map(\.end) == [.maximumLength, .pause])
        #expect(segments.allSatisfy { $0.duration <= 12 })
        // The speaker breaks briefly around 10.4 s: the cut, searched for between 10 and 12 s
        // into the segment, falls there rather than mid-word.
        #expect(abs(Double(segments[1].start) / 16_000 - 10.4) < 0.3)
    }
}
