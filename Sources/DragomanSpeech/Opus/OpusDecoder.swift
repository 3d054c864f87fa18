import COpus

/// Decodes a stream of Opus packets into PCM at ``sampleRate``.
public final class OpusDecoder {
    /// The rate of the samples it returns.
    public let sampleRate: Int
    private let decoder: OpaquePointer
    /// Room for the longest packet Opus allows, 120 ms.
    private var buffer: [Int16]

    /// Creates a decoder that outputs mono PCM at `sampleRate` (8, 12, 16, 24 or 48 kHz).
    public init(sampleRate: Int = OpusEncoder.sampleRate) throws(OpusError) {
        var status: Int32 = OPUS_OK
        guard let decoder = opus_decoder_create(Int32(sampleRate), 1, &status) else {
            throw OpusError(operation: "creating the decoder", code: status)
        }
        self.decoder = decoder
        self.sampleRate = sampleRate
        self.buffer = [Int16](repeating: 0, count: sampleRate * 120 / 1000)
        try OpusError.check(status, "creating the decoder")
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one packet.
    public func decode(_ packet: [UInt8]) throws(OpusError) -> [Int16] {
        let capacity = Int32(buffer.count)
        let count = try OpusError.check(opus_decode(decoder, packet, Int32(packet.count), &buffer, capacity, 0), "decoding a packet")
        return Array(buffer[..<count])
    }
}
