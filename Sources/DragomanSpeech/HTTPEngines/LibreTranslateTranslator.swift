import DragomanCore
import Foundation

/// Translation by a LibreTranslate server, `POST /translate`. The glossary is honoured by
/// post-processing (the default of ``Translator``).
public struct LibreTranslateTranslator: Translator {
    /// The server, e.g. `http://127.0.0.1:5000`.
    public let baseURL: URL
    public let apiKey: String
    /// The languages it translates between (its `GET /languages`).
    public let languages: Set<String>
    private let client = EngineHTTPClient(engine: "LibreTranslate")

    public init(baseURL: URL, apiKey: String, languages: Set<String>) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.languages = languages
    }

    public var supportedPairs: Set<TranslationPair> {
        TranslationPair.all(among: languages)
    }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        var body: [String: JSONValue] = [
            "q": .string(text), "source": .string(LanguageTag.primary(source)), "target": .string(LanguageTag.primary(target)), "format": "text",
        ]
        if !apiKey.isEmpty { body["api_key"] = .string(apiKey) }
        let answer = try await client.json(baseURL.appendingPathComponent("translate"), body: .object(body))
        return try client.text(in: answer, at: ["translatedText"])
    }
}
