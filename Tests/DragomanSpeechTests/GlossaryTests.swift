import Foundation
import Testing

@testable import DragomanSpeech

/// A glossary honoured by post-processing, on the real Apertium.
@Suite struct GlossaryTests {
    static let glossary = Glossary(terms: [
        Glossary.Term(source: "Dragoman"),
        Glossary.Term(source: "Main Street", translations: ["es": "Calle Mayor", "fr": "Grand-Rue"]),
        Glossary.Term(source: "museum", translations: ["es": "pinacoteca"]),
    ])

    @Test func termsAreFoundAsWholeWordsIgnoringCaseLongestFirst() {
        let glossary = Glossary(terms: [Glossary.Term(source: "Main"), Glossary.Term(source: "main street")])
        #expect(glossary.terms(in: "We meet on MAIN STREET.").map(\.source) == ["main street", "Main"])
        #expect(glossary.terms(in: "The mainstream press").isEmpty)
    }

    @Test func placeholdersGoInAndRenderingsComeOut() {
        let placeholders = GlossaryPlaceholders("Dragoman opens on Main Street.", glossary: Self.glossary, target: "es")
        #expect(!placeholders.protectedText.contains("Dragoman"))
        #expect(!placeholders.protectedText.contains("Main Street"))
        // As an engine might return them: moved, and with their case changed.
        let translated = placeholders.protectedText.replacingOccurrences(of: "opens on", with: "abre en").lowercased()
        #expect(placeholders.restore(translated) == "Dragoman abre en Calle Mayor.")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/apertium/modes/eng-spa.mode")))
    func apertiumKeepsAndForcesTerms() async throws {
        let translator = ApertiumTranslator(catalog: try ApertiumModeCatalog())
        let plain = try await translator.translate("Welcome to the Dragoman museum on Main Street.", from: "en", to: "es")
        let honoured = try await translator.translate(
            "Welcome to the Dragoman museum on Main Street.", from: "en", to: "es", glossary: Self.glossary)
        print("Apertium: \(plain) | with the glossary: \(honoured)")
        #expect(honoured.contains("Dragoman"))
        #expect(honoured.contains("Calle Mayor"))
        #expect(honoured.contains("pinacoteca"))
        #expect(!honoured.contains("museo"))
        #expect(!honoured.contains("ZQX"))
        // Through Spanish into French, a term kept in one language is kept in every other.
        let french = try await translator.translate("Dragoman is on Main Street.", from: "en", to: "fr", glossary: Self.glossary)
        #expect(french.contains("Dragoman") && french.contains("Grand-Rue"), "\(french)")
    }
}
