import Foundation

/// An OpenAI-compatible HTTP API: OpenAI itself, whisper.cpp's server, LocalAI, vLLM,
/// llama.cpp's server … Each Dragoman engine uses one endpoint of it.
public struct OpenAICompatibleAPI: Sendable {
    /// The base the endpoints are under, e.g. `https://api.openai.com/v1`.
    public var baseURL: URL
    /// Sent as `Authorization: Bearer`; empty sends none (local servers rarely want one).
    public var apiKey: String
    /// The languages the engines of this API are used for (BCP-47 primary codes).
    public var languages: Set<String>
    let client = EngineHTTPClient(engine: "OpenAI-compatible API")

    public init(baseURL: URL, apiKey: String, languages: Set<String>) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.languages = languages
    }

    func url(_ endpoint: String) -> URL { baseURL.appendingPathComponent(endpoint) }

    var authorization: [(name: String, value: String)] { apiKey.isEmpty ? [] : [(name: "Authorization", value: "Bearer \(apiKey)")] }

    func check(_ language: String) throws -> String {
        let primary = LanguageTag.primary(language)
        guard languages.contains(primary) else { throw UnconfiguredLanguage(engine: client.engine, language: language) }
        return primary
    }
}
