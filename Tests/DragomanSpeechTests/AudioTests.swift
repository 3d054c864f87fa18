import DragomanSpeech
import Foundation
import Testing

@Suite struct AudioTests {
    @Test func pcmBytesRoundTripLittleEndian() {
        let samples: [Int16] = [0, 1, -1, .max, .min, 0x1234]
        let bytes = PCM.littleEndianBytes(samples)
        #expect(bytes.count == 12)
        #expect(Array(bytes[10...11]) == [0x34, 0x12])
        #expect(PCM.samples(fromLittleEndian: bytes) == samples)
        #expect(PCM.samples(fromLittleEndian: bytes + [7]) == samples)  // half a sample is ignored
    }

    @Test func wavRoundTripThroughAFile() throws {
        let original = WAVFile(sampleRate: 22_050, samples: (0..<1_000).map { Int16(truncatingIfNeeded: $0 * 37) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try original.write(to: url)
        #expect(try Data(contentsOf: url).count == 44 + 2_000)
        #expect(try WAVFile(contentsOf: url) == original)
    }

    @Test func wavSkipsUnknownChunks() throws {
        var bytes = WAVFile(sampleRate: 16_000, samples: [1, 2, 3]).encoded()
        // Insert an odd-sized LIST chunk (padded to even) between "fmt " and "data".
        bytes.insert(contentsOf: Array("LIST".utf8) + [3, 0, 0, 0, 65, 66, 67, 0], at: 36)
        #expect(try WAVFile(bytes: bytes).samples == [1, 2, 3])
    }

    @Test func wavRejectsOtherFormats() {
        var stereo = WAVFile(sampleRate: 16_000, samples: [1, 2]).encoded()
        stereo[22] = 2
        #expect(throws: WAVFile.FormatError.unsupportedChannelCount(2)) { try WAVFile(bytes: stereo) }
        var eightBit = WAVFile(sampleRate: 16_000, samples: [1, 2]).encoded()
        eightBit[34] = 8
        #expect(throws: WAVFile.FormatError.unsupportedBitsPerSample(8)) { try WAVFile(bytes: eightBit) }
        var float = WAVFile(sampleRate: 16_000, samples: [1, 2]).encoded()
        float[20] = 3
        #expect(throws: WAVFile.FormatError.unsupportedEncoding(formatTag: 3)) { try WAVFile(bytes: float) }
        #expect(throws: WAVFile.FormatError.notRIFFWave) { try WAVFile(bytes: Array("hello, world".utf8)) }
        let headerOnly = Array(WAVFile(sampleRate: 16_000, samples: []).encoded()[0..<36])
        #expect(throws: WAVFile.FormatError.missingChunk("data")) { try WAVFile(bytes: headerOnly) }
    }

    @Test(arguments: [(16_000, 48_000), (48_000, 16_000), (22_050, 16_000), (16_000, 22_050), (16_000, 16_000)])
    func resamplerLength(from input: Int, to output: Int) {
        let samples = [Int16](repeating: 1_000, count: input)  // one second
        let resampled = LinearResampler.resample(samples, from: input, to: output)
        #expect(abs(resampled.count - output) <= 1)
        #expect(resampled.allSatisfy { $0 == 1_000 })
    }

    @Test func resamplingInChunksMatchesResamplingAtOnce() {
        let samples = (0..<4_410).map { Int16(8_000 * sin(Double($0) * 0.05)) }
        let whole = LinearResampler.resample(samples, from: 22_050, to: 16_000)
        var resampler = LinearResampler(from: 22_050, to: 16_000)
        var chunked: [Int16] = []
        for start in stride(from: 0, to: samples.count, by: 441) {
            chunked += resampler.process(Array(samples[start..<min(start + 441, samples.count)]))
        }
        chunked += resampler.finish()
        #expect(chunked == whole)
        #expect(abs(whole.count - 3_200) <= 1)
    }

    @Test func levelsAndGain() {
        let fullScale = [Int16](repeating: .max, count: 100) + [Int16](repeating: .min, count: 100)
        #expect(abs(PCM.dBFS(fullScale)) < 0.01)
        #expect(PCM.dBFS([Int16](repeating: 0, count: 100)) == -120)
        let half = PCM.scaled(fullScale, by: 0.5)
        #expect(abs(PCM.dBFS(half) - -6.02) < 0.05)
        let loud = PCM.scaled([20_000, -20_000, 100], by: 2)
        #expect(loud == [.max, .min, 200])  // clipped, not wrapped
    }

    @Test func wordErrorRate() {
        #expect(WordErrorRate.words("Good morning, it's ten o'clock!") == ["good", "morning", "it's", "10", "o'clock"])
        #expect(WordErrorRate.rate(reference: "the cat sat", hypothesis: "The cat sat.") == 0)
        #expect(WordErrorRate.rate(reference: "the cat sat on the mat", hypothesis: "the cat sat on mat") == 1.0 / 6)
        #expect(WordErrorRate.rate(reference: "a b c d", hypothesis: "a x c d e") == 0.5)
    }

    @Test("numbers count as the same words spelled out or in digits")
    func numbersInWordErrorRate() {
        #expect(WordErrorRate.rate(reference: "more than two thousand people", hypothesis: "More than 2,000 people.") == 0)
        #expect(WordErrorRate.rate(reference: "up by four percent", hypothesis: "up by 4%") == 0)
        #expect(WordErrorRate.rate(reference: "laid almost a hundred years ago", hypothesis: "laid almost 100 years ago") == 0)
        #expect(WordErrorRate.words("one hundred and five, twenty four, sixty") == ["105", "24", "60"])
        #expect(WordErrorRate.words("four four and a half thousand") == ["4", "4", "and", "a", "half", "thousand"])
        #expect(WordErrorRate.words("in two thousand and twenty-six, at 10, 12") == ["in", "2026", "at", "10", "12"])
        // A wrong number is still one error.
        #expect(WordErrorRate.rate(reference: "over sixty countries", hypothesis: "over 16 countries") == 1.0 / 3)
    }
}
