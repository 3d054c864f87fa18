import Foundation

/// Speech made faster without raising its pitch: waveform-similarity overlap-add (WSOLA).
///
/// Frames of 30 ms are taken from the input a little further apart than they are laid down in the
/// output (`tempo` times the output's hop), each moved by up to half a hop to where it best
/// continues the frame before it, and overlap-added under a Hann window. The voice keeps its
/// pitch and timbre; only the time between its sounds shrinks. Any synthesizer's speech can be
/// hurried this way, so a listener's speech can catch up with a fast speaker whatever the engine.
public enum TimeStretch {
    /// `samples` at `sampleRate`, played `tempo` times as fast (1.5: in two thirds of the time).
    /// A tempo of 1 or less, or a stretch shorter than a few frames, is returned as it is.
    public static func faster(_ samples: [Int16], by tempo: Double, sampleRate: Int) -> [Int16] {
        let frame = max(2, sampleRate * 30 / 1_000 / 2 * 2)
        let hop = frame / 2
        let tolerance = hop / 2
        guard tempo > 1, samples.count > 4 * frame else { return samples }
        let input = samples.map(Float.init)
        // A periodic Hann window: frames half a frame apart add up to exactly one.
        let window = (0..<frame).map { 0.5 - 0.5 * cos(2 * Float.pi * Float($0) / Float(frame)) }
        var output = [Float](repeating: 0, count: Int(Double(samples.count) / tempo) + frame)
        var previous = 0
        var written = 0
        var index = 0
        while true {
            let nominal = Int(Double(index) * Double(hop) * tempo)
            let place = index * hop
            guard nominal + tolerance + frame <= input.count, place + frame <= output.count else { break }
            let start = index == 0 ? 0 : bestStart(in: input, near: nominal, continuing: previous + hop, frame: frame, tolerance: tolerance)
            for offset in 0..<frame { output[place + offset] += input[start + offset] * window[offset] }
            previous = start
            written = place + frame
            index += 1
        }
        return output[..<written].map { Int16(clamping: Int($0.rounded())) }
    }

    /// The start within `tolerance` of `nominal` whose frame is most like the one at `natural`,
    /// the input's own continuation of the frame laid down before.
    private static func bestStart(in input: [Float], near nominal: Int, continuing natural: Int, frame: Int, tolerance: Int) -> Int {
        guard natural + frame <= input.count else { return nominal }
        var best = nominal
        var bestScore = -Float.infinity
        for candidate in max(0, nominal - tolerance)...(nominal + tolerance) {
            var score: Float = 0
            // Every other sample is enough to find the best alignment, at half the cost.
            for offset in stride(from: 0, to: frame, by: 2) { score += input[candidate + offset] * input[natural + offset] }
            if score > bestScore {
                bestScore = score
                best = candidate
            }
        }
        return best
    }
}
