import DragomanSpeech
import Foundation

/// A 16-bit mono WAV file written as audio arrives; its header is kept valid after every append,
/// so a stopped client still leaves a playable file.
final class WAVStreamWriter {
    private let handle: FileHandle
    private let sampleRate: Int
    private var sampleCount = 0

    init(path: String, sampleRate: Int) throws {
        self.sampleRate = sampleRate
        _ = FileManager.default.createFile(atPath: path, contents: Data(WAVFile(sampleRate: sampleRate, samples: []).encoded()))
        handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    }

    func append(_ samples: [Int16]) throws {
        try handle.seekToEnd()
        handle.write(Data(PCM.littleEndianBytes(samples)))
        sampleCount += samples.count
        // Rewrite the header with the new sizes.
        let header = WAVFile(sampleRate: sampleRate, samples: []).encoded()
        var patched = header
        let dataBytes = UInt32(sampleCount * 2)
        patched.replaceSubrange(4..<8, with: withUnsafeBytes(of: (UInt32(header.count - 8) + dataBytes).littleEndian, Array.init))
        patched.replaceSubrange(40..<44, with: withUnsafeBytes(of: dataBytes.littleEndian, Array.init))
        try handle.seek(toOffset: 0)
        handle.write(Data(patched))
    }

    deinit { try? handle.close() }
}
