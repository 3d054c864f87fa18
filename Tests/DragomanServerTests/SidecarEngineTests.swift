import DragomanServer
import DragomanSpeech
import Foundation
import Logging
import Testing

/// The local neural tier for real: Whisper (Dragoman's sidecar, Sidecars/whisper_sidecar.py, tiny.en) and Piper
/// (wyoming-piper, en_US-joe-medium) as sidecars, started and supervised by Dragoman.
@Suite("Wyoming sidecars: real Whisper and Piper", .serialized, .enabled(if: Sidecars.configured))
struct SidecarEngineTests {
    static let talks = ["church-welcome", "council-meeting", "keynote-opening", "long-run-on", "museum-tour"]

    @Test("every fixture through supervised Whisper within 10 % WER; provisional captions by re-decoding; a killed sidecar is restarted")
    func whisperUnderSupervision() async throws {
        let supervisor = try await Sidecars.supervisor("whisper")
        try await Sidecars.supervising(supervisor) {
            let recognizer = WyomingRecognizer(endpoint: WyomingEndpoint(supervisor: supervisor), languages: ["en"])
            for name in Self.talks {
                let (wav, reference) = try PipelineEndToEndTests.fixture(name)
                let text = try await Sidecars.transcribe(wav.samples, with: recognizer)
                let errorRate = WordErrorRate.rate(reference: reference, hypothesis: text)
                print("Whisper, \(name): WER \(String(format: "%.1f", errorRate * 100)) %: \(text)")
                #expect(errorRate <= 0.10, "\(name): \(text)")
            }

            // Provisional captions: the growing segment re-decoded, here at most every half second.
            let partials = WyomingRecognizer(endpoint: WyomingEndpoint(supervisor: supervisor), languages: ["en"], partialInterval: 0.5)
            let (talk, _) = try PipelineEndToEndTests.fixture("museum-tour")
            let recognition = try await partials.makeSession(language: "en")
            var partial: String?
            for start in stride(from: 0, to: 16_000 * 3, by: 1_600) {
                partial = try await recognition.feed(Array(talk.samples[start..<start + 1_600])) ?? partial
                try await Task.sleep(for: .milliseconds(20))
            }
            // However slow the machine, a re-decode has started by now; a little quiet lets it be read.
            for _ in 0..<300 where partial == nil {
                try await Task.sleep(for: .milliseconds(200))
                partial = try await recognition.feed([Int16](repeating: 0, count: 160))
            }
            #expect(partial?.lowercased().contains("morning") == true, "partial: \(partial ?? "none")")
            #expect(try await recognition.finish().lowercased().contains("good morning"))

            let crashed = try #require(await supervisor.processIdentifier)
            kill(crashed, SIGKILL)
            var restarted: Int32?
            for _ in 0..<900 where restarted == nil {
                try await Task.sleep(for: .milliseconds(200))
                restarted = await supervisor.processIdentifier.flatMap { $0 == crashed ? nil : $0 }
            }
            #expect(restarted != nil, "the sidecar was not restarted")
            try await supervisor.waitUntilReady(timeout: 180)
            let (wav, _) = try PipelineEndToEndTests.fixture("museum-tour")
            let again = try await Sidecars.transcribe(Array(wav.samples.prefix(16_000 * 4)), with: recognizer)
            #expect(again.lowercased().contains("museum"), "after the restart: \(again)")
        }
    }

    @Test("Piper reached over tcp:// speaks a sentence that Whisper reads back")
    func piperOverTCP() async throws {
        let port = try await Sidecars.freePort()
        let piper = Process()
        piper.executableURL = URL(fileURLWithPath: "/bin/sh")
        piper.arguments = ["-c", "exec " + (try Sidecars.command("piper", port: port))]
        try piper.run()
        defer {
            // wyoming-piper may linger after SIGTERM (the supervisor escalates to SIGKILL); this one is only scaffolding.
            kill(piper.processIdentifier, SIGKILL)
            piper.waitUntilExit()
        }
        let synthesizer = WyomingSynthesizer(
            endpoint: WyomingEndpoint(address: try WyomingAddress(parsing: "tcp://127.0.0.1:\(port)")), voices: ["en": "en_US-joe-medium"])
        let sentence = "Please stay close to the group and do not touch the paintings."
        var speech: SynthesizedSpeech?
        // Not supervised: nothing says when it is ready but an answer.
        for _ in 0..<600 where speech == nil && piper.isRunning {
            speech = try? await synthesizer.synthesize(sentence, language: "en")
            if speech == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let spoken = try #require(speech, "Piper did not answer on port \(port)")
        var samples: [Int16] = []
        for try await chunk in spoken.chunks { samples += chunk }
        #expect(spoken.sampleRate == 22_050)
        #expect(samples.count > spoken.sampleRate, "only \(samples.count) samples")

        let whisper = try await Sidecars.supervisor("whisper")
        try await Sidecars.supervising(whisper) {
            var resampler = LinearResampler(from: spoken.sampleRate, to: PCM.speechSampleRate)
            let heard = try await Sidecars.transcribe(
                resampler.process(samples), with: WyomingRecognizer(endpoint: WyomingEndpoint(supervisor: whisper), languages: ["en"]))
            #expect(WordErrorRate.rate(reference: sentence, hypothesis: heard) <= 0.10, "Whisper heard: \(heard)")
        }
    }

    @Test("a talk through a server whose configuration runs Whisper and Piper: captions within 10 % WER, Piper speech to listeners")
    func talkThroughTheServer() async throws {
        let (whisperPort, piperPort) = (try await Sidecars.freePort(), try await Sidecars.freePort())
        var settings = EngineSettings()
        settings.recognizer = "wyoming"
        settings.wyomingRecognizerURI = "tcp://127.0.0.1:\(whisperPort)"
        settings.wyomingRecognizerCommand = try Sidecars.command("whisper", port: whisperPort)
        // PyPI has one Piper voice, English: Joe reads the Spanish translation. It proves the
        // path from translation to the listener's ears, not the accent.
        settings.synthesizer = "espeak,es=wyoming"
        settings.wyomingSynthesizerVoices = "es=en_US-joe-medium"
        settings.wyomingSynthesizerURI = "tcp://127.0.0.1:\(piperPort)"
        settings.wyomingSynthesizerCommand = try Sidecars.command("piper", port: piperPort)
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "sidecar-test"))
        #expect(engines.sidecars.map(\.name) == ["whisper", "piper"])
        let (wav, reference) = try PipelineEndToEndTests.fixture("museum-tour")

        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 100 }) { server in
            // The server's service group started the sidecars; wait until they answer.
            for sidecar in engines.sidecars { try await sidecar.waitUntilReady(timeout: 180) }
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId, language: "es").client

            var spoken = PipelineEndToEndTests.finals(try await PipelineEndToEndTests.stream(wav.samples[...], to: speaker))
            while spoken.count < 5 {
                spoken.append(try await speaker.waitFor("transcript", timeout: .seconds(120)) { $0["isFinal"]?.boolValue == true }.message)
            }
            let recognized = spoken.compactMap { $0["text"]?.stringValue }.joined(separator: " ")
            let errorRate = WordErrorRate.rate(reference: reference, hypothesis: recognized)
            #expect(errorRate <= 0.10, "WER \(errorRate): \(recognized)")

            var spokenSegments: Set<Int> = []
            var audio: [Int16] = []
            while spokenSegments.count < 5 {
                let message = try await listener.next(timeout: .seconds(120))
                guard message.type == "audioData", let base64 = message["audioData"]?.stringValue, let bytes = Data(base64Encoded: base64) else { continue }
                #expect(message["sampleRate"]?.intValue == 22_050)
                audio += PCM.samples(fromLittleEndian: bytes)
                if message["isLastChunk"]?.boolValue == true, let segment = message["segmentId"]?.intValue { spokenSegments.insert(segment) }
            }
            #expect(PCM.dBFS(audio) > -40, "Piper's speech is silent")
            #expect(audio.count > 22_050 * 4, "only \(audio.count) samples of speech")
        }
    }
}

/// A sidecar whose command cannot run: the supervisor keeps trying (and logs it), and the
/// speaker hears of it as `ENGINE_FAILURE`. Needs no sidecar installed, so it always runs.
@Suite("A sidecar that does not start")
struct MissingSidecarTests {
    @Test func aMissingSidecarCommandFailsSegmentsAsEngineFailure() async throws {
        var settings = EngineSettings()
        settings.recognizer = "wyoming"
        settings.wyomingRecognizerURI = "tcp://127.0.0.1:\(try await Sidecars.freePort())"
        settings.wyomingRecognizerCommand = "/nonexistent/whisper-sidecar --uri \(settings.wyomingRecognizerURI)"
        let engines = try SpeechEngines.configured(settings, logger: Logger(label: "missing-sidecar-test"))
        try await TestServer.run(engines: engines, configure: { $0.audioChunksPerSecond = 1_000 }) { server in
            #expect(try await server.http(.GET, "/readyz").json?["reason"]?.stringValue == "sidecar whisper")
            let (speaker, _, _) = try await server.speaker()
            for index in 0..<25 { speaker.send(binary: ToneFrames.frame(amplitude: 3, offset: index * 320)) }
            for index in 25..<50 { speaker.send(binary: ToneFrames.frame(amplitude: 8_000, offset: index * 320)) }
            let failure = try await speaker.waitFor("error", timeout: .seconds(60)).message
            #expect(failure.code == "ENGINE_FAILURE")
            #expect(await engines.sidecars[0].isReady == false)
        }
    }
}
