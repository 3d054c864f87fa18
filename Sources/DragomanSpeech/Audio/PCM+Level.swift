import Foundation

extension PCM {
    /// The root mean square of `samples` on a 0...1 scale (1 is a full-scale square wave);
    /// 0 for no samples.
    public static func rms(_ samples: some Collection<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        for sample in samples {
            let value = Double(sample)
            sum += value * value
        }
        return (sum / Double(samples.count)).squareRoot() / 32_768
    }

    /// The level of `samples` in decibels relative to full scale, never below `floor`
    /// (digital silence would otherwise be minus infinity).
    public static func dBFS(_ samples: some Collection<Int16>, floor: Double = -120) -> Double {
        let rms = rms(samples)
        guard rms > 0 else { return floor }
        return max(floor, 20 * log10(rms))
    }

    /// Multiplies every sample by `gain` (1 keeps the volume, 0.5 is about −6 dB), clipping
    /// to the 16-bit range instead of wrapping around.
    public static func scaled(_ samples: [Int16], by gain: Double) -> [Int16] {
        samples.map { sample in
            let value = (Double(sample) * gain).rounded()
            return Int16(min(Double(Int16.max), max(Double(Int16.min), value)))
        }
    }
}
