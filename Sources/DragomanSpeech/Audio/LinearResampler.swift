/// Converts PCM between sample rates by linear interpolation, chunk by chunk.
///
/// The resampler keeps its position and the last sample between calls to ``process(_:)``,
/// so a stream resampled in chunks has no clicks at chunk boundaries. There is no
/// anti-aliasing filter: that is acceptable for speech between the usual rates (16, 22.05,
/// 24, 48 kHz), which is all Dragoman converts.
public struct LinearResampler: Sendable {
    /// The rate of the input, in samples per second.
    public let inputRate: Int
    /// The rate of the output, in samples per second.
    public let outputRate: Int

    /// Where the next output sample lies, in input samples from the start of the next chunk,
    /// times `outputRate` (each output sample advances it by `inputRate`): integers keep chunked
    /// and whole resampling identical. Between -1 and 0 input samples it lies between the
    /// previous chunk's last sample and the next chunk's first.
    private var position = 0
    /// The last sample of the previous chunk.
    private var previous: Int16?

    /// Creates a resampler from `inputRate` to `outputRate` samples per second.
    public init(from inputRate: Int, to outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
    }

    /// Resamples the next chunk of the stream.
    public mutating func process(_ chunk: [Int16]) -> [Int16] {
        guard !chunk.isEmpty else { return [] }
        var output: [Int16] = []
        output.reserveCapacity(chunk.count * outputRate / inputRate + 1)
        if previous == nil { previous = chunk[0] }  // the stream starts exactly at its first sample
        // Interpolating at `position` needs the samples at its floor and the one after.
        while position < (chunk.count - 1) * outputRate {
            let index = position >= 0 ? position / outputRate : -1
            let fraction = Double(position - index * outputRate) / Double(outputRate)
            let left = index < 0 ? Double(previous!) : Double(chunk[index])
            let right = Double(chunk[index + 1])
            output.append(Int16((left + (right - left) * fraction).rounded()))
            position += inputRate
        }
        position -= chunk.count * outputRate
        previous = chunk[chunk.count - 1]
        return output
    }

    /// Ends the stream: returns the output samples that fall after the last input sample,
    /// holding that sample, so the total length is the input length scaled by the rate ratio.
    public mutating func finish() -> [Int16] {
        guard let previous else { return [] }
        var output: [Int16] = []
        while position < 0 {
            output.append(previous)
            position += inputRate
        }
        return output
    }

    /// Resamples a whole recording.
    public static func resample(_ samples: [Int16], from inputRate: Int, to outputRate: Int) -> [Int16] {
        guard inputRate != outputRate else { return samples }
        var resampler = LinearResampler(from: inputRate, to: outputRate)
        return resampler.process(samples) + resampler.finish()
    }
}
