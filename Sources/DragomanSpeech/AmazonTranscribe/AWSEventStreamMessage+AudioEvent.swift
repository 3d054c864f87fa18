extension AWSEventStreamMessage {
    /// A Transcribe `AudioEvent` of 16-bit little-endian PCM; an empty one ends the audio.
    static func audioEvent(_ pcm: [UInt8]) -> AWSEventStreamMessage {
        AWSEventStreamMessage(
            headers: [
                Header(":content-type", .string("application/octet-stream")),
                Header(":event-type", .string("AudioEvent")),
                Header(":message-type", .string("event")),
            ],
            payload: pcm)
    }
}
