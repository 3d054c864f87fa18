import DragomanCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// What every load listener of `dragoman bench fanout` received, in one place.
final class LoadTally: Sendable {
    struct Counts: Sendable {
        var captions = DelayHistogram()
        var audio = DelayHistogram()
        var audioBytes = 0
        var skippedNotices = 0
        var closed = 0
    }

    private let counts = Mutex(Counts())
    /// When the speaker sent each of its frames (Unix ms), for the floor's mouth-to-ear delay.
    private let speakerFrames = Mutex<[Int]>([])

    func speakerSentFrame() {
        let now = UnixTime.milliseconds
        speakerFrames.withLock { $0.append(now) }
    }

    /// When the speaker sent its `index`th frame.
    func speakerFrameSent(_ index: Int) -> Int? {
        speakerFrames.withLock { index < $0.count ? $0[index] : nil }
    }

    func update(_ change: (inout Counts) -> Void) {
        counts.withLock { change(&$0) }
    }

    var snapshot: Counts { counts.withLock { $0 } }

    func reset() {
        counts.withLock { $0 = Counts() }
        speakerFrames.withLock { $0.removeAll() }
    }
}

/// One listener of the load: a WebSocket client written straight on a NIO channel, with no task
/// or stream per connection and no JSON parsing (it finds `type` and `publishedAt` in the bytes),
/// so that thousands of them on one machine leave the CPU to the server they measure.
final class LoadListener: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let joined: EventLoopPromise<Void>
    private let tally: LoadTally
    /// Listening to the floor: each chunk of audio is one frame of the speaker's, in order, and its
    /// delay is from when the speaker sent that frame (mouth to ear) rather than from `publishedAt`.
    private let floor: Bool
    private var audioChunks = 0
    private var upgraded = false
    private var pending: ByteBuffer?

    init(path: String, port: Int, floor: Bool, joined: EventLoopPromise<Void>, tally: LoadTally) {
        request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        self.joined = joined
        self.tally = tally
        self.floor = floor
    }

    /// Connects a listener and returns once it got its first message (`sessionJoined`).
    static func connect(port: Int, path: String, floor: Bool, tally: LoadTally, group: any EventLoopGroup) async throws -> any Channel {
        let loop = group.next()
        let joined = loop.makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LoadListener(path: path, port: port, floor: floor, joined: joined, tally: tally))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await joined.futureResult.get()
        return channel
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        joined.fail(ChannelError.ioOnClosedChannel)
        tally.update { $0.closed += 1 }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil { pending = incoming } else { pending!.writeBuffer(&incoming) }
        if !upgraded {
            guard let headEnd = pending!.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let head = pending!.readString(length: headEnd.upperBound - pending!.readerIndex) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                joined.fail(BenchError("the upgrade was refused: \(head.prefix(while: { $0 != "\r" }))"))
                context.close(promise: nil)
                return
            }
            upgraded = true
        }
        while let (opcode, payload) = nextFrame() {
            handle(opcode: opcode, payload: payload, context: context)
        }
        if pending?.readableBytes == 0 { pending = nil } else { pending?.discardReadBytes() }
    }

    /// The next whole frame in `pending` (server frames are not masked), or `nil` until it is all there.
    private func nextFrame() -> (opcode: UInt8, payload: ByteBuffer)? {
        guard var buffer = pending, let first = buffer.readInteger(as: UInt8.self), let second = buffer.readInteger(as: UInt8.self) else { return nil }
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = buffer.readInteger(as: UInt16.self) else { return nil }
            length = Int(extended)
        } else if length == 127 {
            guard let extended = buffer.readInteger(as: UInt64.self) else { return nil }
            length = Int(extended)
        }
        guard let payload = buffer.readSlice(length: length) else { return nil }
        pending = buffer
        return (first & 0x0F, payload)
    }

    private func handle(opcode: UInt8, payload: ByteBuffer, context: ChannelHandlerContext) {
        let now = UnixTime.milliseconds
        switch opcode {
        case 0x1:
            payload.withUnsafeReadableBytes { bytes in
                if Self.contains(bytes, Self.audioType) {
                    let delay = audioDelay(now: now, publishedAt: Self.publishedAt(in: bytes))
                    tally.update { counts in
                        if let delay { counts.audio.record(milliseconds: delay) }
                        counts.audioBytes += bytes.count
                    }
                } else if Self.contains(bytes, Self.captionType) {
                    guard Self.contains(bytes, Self.finalFlag), let published = Self.publishedAt(in: bytes) else { return }
                    tally.update { $0.captions.record(milliseconds: now - published) }
                } else if Self.contains(bytes, Self.skippedType) {
                    tally.update { $0.skippedNotices += 1 }
                }
            }
            joined.succeed()
        case 0x2:
            let frame = payload.readableBytesView
            guard let published = OpusAudioFrame.publishedAt(in: frame) else { return }
            let delay = audioDelay(now: now, publishedAt: Int(published))
            tally.update { counts in
                if let delay { counts.audio.record(milliseconds: delay) }
                counts.audioBytes += frame.count
            }
        case 0x8:
            context.close(promise: nil)
        case 0x9:
            // A pong, masked as clients must, with the ping's payload.
            var pong = ByteBuffer(bytes: [0x8A, 0x80 | UInt8(payload.readableBytes), 0, 0, 0, 0])
            pong.writeImmutableBuffer(payload)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        default:
            break
        }
    }

    private func audioDelay(now: Int, publishedAt: Int?) -> Int? {
        guard floor else { return publishedAt.map { now - $0 } }
        defer { audioChunks += 1 }
        return tally.speakerFrameSent(audioChunks).map { now - $0 }
    }

    private static let audioType = Array(#""type":"audioData""#.utf8)
    private static let captionType = Array(#""type":"transcript""#.utf8)
    private static let skippedType = Array(#""type":"audioSkipped""#.utf8)
    private static let finalFlag = Array(#""isFinal":true"#.utf8)
    private static let publishedKey = Array(#""publishedAt":"#.utf8)

    private static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        find(needle, in: bytes) != nil
    }

    /// Where `needle`, which starts with a quote, first occurs. Jumping from quote to quote with
    /// `memchr` passes over a base64 payload (which has none) at memory speed.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let quote = needle.first else { return nil }
        var offset = 0
        while offset + needle.count <= bytes.count, let hit = memchr(base + offset, Int32(quote), bytes.count - offset) {
            let position = base.distance(to: UnsafeRawPointer(hit))
            guard position + needle.count <= bytes.count else { return nil }
            if needle.indices.allSatisfy({ bytes[position + $0] == needle[$0] }) { return position }
            offset = position + 1
        }
        return nil
    }

    private static func publishedAt(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let start = find(publishedKey, in: bytes) else { return nil }
        var value = 0
        for byte in bytes[(start + publishedKey.count)...] {
            guard (0x30...0x39).contains(byte) else { break }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
