import COpus

/// Encodes one stream of speech (a segment) into Opus packets of ``frameDuration`` each.
///
/// Input comes at any rate and in chunks of any length: it is resampled to ``sampleRate`` and
/// cut into 20 ms frames, the remainder waiting for the next chunk. ``finish()`` pads the last
/// frame with silence, so the packets hold all of the input.
public final class OpusEncoder {
    /// The rate Opus codes at: 24 kHz keeps all of a 22.05 kHz synthesizer's band (Opus's
    /// super-wideband) without the cost of fullband.
    public static let sampleRate = 24_000
    /// Samples per channel in one packet: 20 ms, Opus's usual frame for speech.
    public static let frameLength = sampleRate / 50
    /// 24 kbit/s is clear speech for one voice; it is the default of `opusBitrate`.
    public static let defaultBitrate = 24_000
    /// A mid setting: speech at this rate gains little from the full search, and a server
    /// encodes every language it synthesizes.
    static let complexity: Int32 = 5
    /// The largest Opus packet (RFC 6716, 3.4: 1275 bytes a frame).
    static let maximumPacketBytes = 1_275

    private let encoder: OpaquePointer
    private var resampler: LinearResampler
    /// Samples at ``sampleRate`` not yet a whole frame.
    private var pending: [Int16] = []

    /// Creates an encoder for PCM at `inputRate` that spends `bitrate` bits per second.
    public init(inputRate: Int, bitrate: Int = OpusEncoder.defaultBitrate) throws(OpusError) {
        var status: Int32 = OPUS_OK
        guard let encoder = opus_encoder_create(Int32(Self.sampleRate), 1, OPUS_APPLICATION_VOIP, &status) else {
            throw OpusError(operation: "creating the encoder", code: status)
        }
        self.encoder = encoder
        self.resampler = LinearResampler(from: inputRate, to: Self.sampleRate)
        try OpusError.check(status, "creating the encoder")
        try OpusError.check(dragoman_opus_set_bitrate(encoder, Int32(bitrate)), "setting the bitrate to \(bitrate)")
        try OpusError.check(dragoman_opus_set_signal_voice(encoder), "setting the signal type")
        try OpusError.check(dragoman_opus_set_complexity(encoder, Self.complexity), "setting the complexity")
    }

    deinit { opus_encoder_destroy(encoder) }

    /// Encodes the next chunk of the stream; returns the packets of the frames it completed.
    public func encode(_ samples: [Int16]) throws(OpusError) -> [[UInt8]] {
        pending += resampler.process(samples)
        return try encodeWholeFrames()
    }

    /// Ends the stream: encodes what is left, the last frame padded with silence.
    public func finish() throws(OpusError) -> [[UInt8]] {
        pending += resampler.finish()
        let remainder = pending.count % Self.frameLength
        if remainder > 0 { pending += repeatElement(0, count: Self.frameLength - remainder) }
        return try encodeWholeFrames()
    }

    private func encodeWholeFrames() throws(OpusError) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var start = 0
        while pending.count - start >= Self.frameLength {
            var packet = [UInt8](repeating: 0, count: Self.maximumPacketBytes)
            let size = try pending.withUnsafeBufferPointer { frame throws(OpusError) in
                try OpusError.check(
                    opus_encode(encoder, frame.baseAddress! + start, Int32(Self.frameLength), &packet, Int32(packet.count)), "encoding a frame")
            }
            packets.append(Array(packet[..<size]))
            start += Self.frameLength
        }
        pending.removeFirst(start)
        return packets
    }
}
