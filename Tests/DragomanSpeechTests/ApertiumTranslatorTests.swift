import Foundation
import Testing

@testable import DragomanSpeech

/// One at a time, so the timings are not those of pipelines loading side by side.
@Suite(.serialized) struct ApertiumTranslatorTests {
    static let catalog = Result { try ApertiumModeCatalog() }
    static let translator = Result { ApertiumTranslator(catalog: try catalog.get()) }

    @Test func catalogReadsDirectAndPivotedPairs() throws {
        let catalog = try Self.catalog.get()
        #expect(catalog.route(from: "en", to: "es") == [TranslationPair(source: "en", target: "es")])
        #expect(
            catalog.route(from: "en", to: "fr") == [
                TranslationPair(source: "en", target: "es"), TranslationPair(source: "es", target: "fr"),
            ])
        #expect(catalog.route(from: "en", to: "xx") == nil)
        #expect(catalog.route(from: "en", to: "en") == nil)
        // Debian installs Romanian→Spanish only, so Romanian is no target.
        #expect(catalog.route(from: "en", to: "ro") == nil)
        let targets = catalog.targetLanguages(from: "en")
        print("Apertium targets from English:", targets.sorted())
        #expect(targets.isSuperset(of: ["es", "ca", "gl", "eo", "fr", "pt", "it", "oc"]))
        #expect(!targets.contains("en"))
        #expect(catalog.modeFiles[TranslationPair(source: "en", target: "ca")]?.hasSuffix("/eng-cat.mode") == true)
        #expect(try Self.translator.get().targetLanguages(from: "en") == targets)
    }

    @Test func pipelineCommandFlushesAtEveryStage() throws {
        let command = try Self.catalog.get().pipelineCommand(for: TranslationPair(source: "en", target: "es"))
        let stages = command.split(separator: "|")
        #expect(stages.count > 5)
        #expect(stages.allSatisfy { $0.split(separator: " ")[1] == "-z" })
        #expect(!command.contains("$"))
    }

    @Test func escapingAndCleaning() {
        #expect(ApertiumPipeline.escaped("a [b] ^c$ /d\\ @e <f> {g}\nh\0") == #"a \[b\] \^c\$ \/d\\ \@e \<f\> \{g\} h"#)
        let answer = Array(#"El *xyzzy #fue @dog, \@bob \[x\] 5*3."#.utf8) + [0x0A, 0]
        #expect(ApertiumPipeline.cleaned(answer) == "El xyzzy fue dog, @bob [x] 5*3.")
    }

    @Test(arguments: ["es", "ca", "fr"])
    func translatesASentence(into target: String) async throws {
        let translator = try Self.translator.get()
        let source = "Good morning and welcome to the museum."
        let translation = try await translator.translate(source, from: "en", to: target)
        print("en→\(target): \(translation)")
        #expect(!translation.isEmpty)
        #expect(translation != source)
        #expect(!translation.contains("*") && !translation.contains("#"))
    }

    /// Several sentences in a row each come back whole: none is held back by a stage reading
    /// ahead. Also times a sentence on a warm pipeline.
    @Test func sentencesInARowComeBackWhole() async throws {
        let translator = try Self.translator.get()
        let sentences = try Fixture(name: "museum-tour").sentences()
        _ = try await translator.translate("Hello.", from: "en", to: "es")  // start the pipeline
        let clock = ContinuousClock()
        var translations: [String] = []
        let began = clock.now
        for sentence in sentences {
            translations.append(try await translator.translate(sentence, from: "en", to: "es"))
        }
        let elapsed = clock.now - began
        for (sentence, translation) in zip(sentences, translations) { print("  \(sentence) → \(translation)") }
        let perSentence = elapsed / sentences.count
        print("Apertium en→es: \(perSentence) a sentence over \(sentences.count) sentences")
        #expect(translations.count == sentences.count)
        #expect(translations.allSatisfy { $0.hasSuffix(".") })  // each sentence ends with its own full stop
        #expect(Set(translations).count == sentences.count)
        #expect(translations[0].hasPrefix("Buenos días"))
        #expect(translations.last!.contains("pinturas"))
    }

    @Test func preparedPivotPairsTranslate() async throws {
        let translator = try Self.translator.get()
        try await translator.prepare(from: "en", to: "it")
        let italian = try await translator.translate("The children will meet in the room downstairs.", from: "en", to: "it")
        #expect(italian.contains("bambini"))
    }

    @Test func concurrentRequestsToOnePipelineKeepTheirOrder() async throws {
        let translator = try Self.translator.get()
        let sentences = ["One cat.", "Two dogs.", "Three birds.", "Four houses.", "Five trees."]
        let translations = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, sentence) in sentences.enumerated() {
                group.addTask { (index, try await translator.translate(sentence, from: "en", to: "es")) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        let expected = try await sentences.asyncMap { try await translator.translate($0, from: "en", to: "es") }
        #expect((0..<sentences.count).map { translations[$0]! } == expected)
    }

    @Test func unsupportedPairsAreRejected() async throws {
        let translator = try Self.translator.get()
        await #expect(throws: ApertiumError.unsupportedPair(TranslationPair(source: "en", target: "xx"))) {
            try await translator.translate("Hello.", from: "en", to: "xx")
        }
    }

    @Test func aStalledPipelineTimesOutAndIsRestarted() async throws {
        let pair = TranslationPair(source: "en", target: "es")
        // A "pipeline" that hangs the first time it runs, and echoes like a working one after.
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-stall-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: flag) }
        let script = "if [ -e '\(flag)' ]; then exec cat; else touch '\(flag)'; exec sleep 60; fi"
        let pipeline = ApertiumPipeline(pair: pair, command: script, timeout: .seconds(2), logger: .init(label: "test"))
        await #expect(throws: ApertiumError.timedOut(pair)) { try await pipeline.translate("lost") }
        #expect(try await pipeline.translate("found") == "found")
    }

    @Test func aPipelineThatExitsIsRestarted() async throws {
        let pair = TranslationPair(source: "en", target: "es")
        let pipeline = ApertiumPipeline(pair: pair, command: "exit 3", timeout: .seconds(5), logger: .init(label: "test"))
        await #expect(throws: ApertiumError.pipelineExited(pair)) { try await pipeline.translate("anything") }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
