import ArgumentParser
import DragomanClient
import DragomanCore
import DragomanSpeech
import Foundation

/// `dragoman bench pipeline`: the options and the measurement.
package struct BenchPipeline: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "End-of-speech to caption and to first audio, and the pipeline's real-time factor, for 1, 3 and 6 languages.",
        discussion: """
            Starts `dragoman serve` in a child process, streams each fixture to it in real time as a speaker, \
            with one listener per target language, and measures at the listeners. End of speech is the moment \
            the last sample of a segment was spoken (the stream's clock plus the segment's endTime).
            """)

    @Option(help: "Comma-separated numbers of target languages to measure.")
    var languages: String = "1,3,6"

    @OptionGroup var talks: TalkOptions

    @OptionGroup var serverOptions: ServerOptions

    @Option(help: "Seconds to keep listening after a fixture was streamed, for the last captions and speech.")
    var tail: Double = 3

    static let targetOrder = ["es", "fr", "ca", "pt", "it", "eo"]

    package init() {}

    package func run() async throws {
        let server = try await serverOptions.start()
        defer { server.stop() }
        let names = talks.names
        var rows: [String] = []
        var fixtureRows: [String] = []
        for count in languages.split(separator: ",").compactMap({ Int($0) }) {
            let targets = Array(Self.targetOrder.prefix(count))
            var captionLatencies: [Double] = []
            var audioLatencies: [Double] = []
            var errorRates: [Double] = []
            var audioSeconds = 0.0
            let cpuBefore = server.cpuSeconds
            for name in names {
                let result = try await measure(fixture: name, targets: targets, server: server)
                captionLatencies += result.captionLatencies
                audioLatencies += result.audioLatencies
                errorRates.append(result.wordErrorRate)
                audioSeconds += result.audioSeconds
                print(
                    String(
                        format: "  %d languages, %@: WER %.1f %%, %d captions, %d first-audio", count, name, result.wordErrorRate * 100,
                        result.captionLatencies.count, result.audioLatencies.count))
                let fixtureAudio = Distribution(result.audioLatencies)
                fixtureRows.append(
                    String(
                        format: "| %d | %@ | %.1f %% | %.0f | %.0f |", count, name, result.wordErrorRate * 100,
                        fixtureAudio.median * 1000, fixtureAudio.largest * 1000))
            }
            let cpu = server.cpuSeconds - cpuBefore
            let captions = Distribution(captionLatencies)
            let audio = Distribution(audioLatencies)
            rows.append(
                String(
                    format: "| %d (%@) | %.0f | %.0f | %.0f | %.0f | %.3f | %.1f %% |", count, targets.joined(separator: ", "),
                    audio.median * 1000, audio.percentile(0.95) * 1000, captions.median * 1000, captions.percentile(0.95) * 1000,
                    cpu / audioSeconds, errorRates.reduce(0, +) / Double(errorRates.count) * 100))
        }
        print(
            """

            | target languages | end of speech → first audio, median (ms) | p95 (ms) | end of speech → final caption, median (ms) | p95 (ms) | real-time factor (server CPU s / audio s) | mean WER |
            |---|---|---|---|---|---|---|
            \(rows.joined(separator: "\n"))

            | target languages | fixture | WER | end of speech → first audio, median (ms) | max (ms) |
            |---|---|---|---|---|
            \(fixtureRows.joined(separator: "\n"))
            """)
    }

    struct Measurement {
        var captionLatencies: [Double] = []
        var audioLatencies: [Double] = []
        var wordErrorRate = 0.0
        var audioSeconds = 0.0
    }

    private func measure(fixture name: String, targets: [String], server: ServerProcess) async throws -> Measurement {
        let wav = try talks.audio(name)
        let reference = try talks.reference(name)
        let talk = try await RecordedTalk.record(wav, targets: targets, server: server, tail: tail)
        let start = talk.start

        var measurement = Measurement(audioSeconds: wav.duration)
        var finals: [String] = []
        for (index, messages) in ([talk.speaker] + talk.listeners).enumerated() {
            var speechEnd: [Int: Double] = [:]
            var heard: Set<Int> = []
            for message in messages {
                switch message.message?.body {
                case .transcript(let caption) where caption.isFinal:
                    speechEnd[caption.segmentId] = start + caption.endTime
                    if index == 0 {
                        finals.append(caption.text)
                    } else {
                        measurement.captionLatencies.append(message.receivedAt - start - caption.endTime)
                    }
                case .audioData(let chunk):
                    if let end = speechEnd[chunk.segmentId], heard.insert(chunk.segmentId).inserted {
                        measurement.audioLatencies.append(message.receivedAt - end)
                    }
                default: break
                }
            }
        }
        measurement.wordErrorRate = WordErrorRate.rate(reference: reference, hypothesis: finals.joined(separator: " "))
        return measurement
    }
}
