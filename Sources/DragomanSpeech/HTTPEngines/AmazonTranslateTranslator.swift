import DragomanCore
import Foundation

/// Translation by Amazon Translate (`TranslateText`), signed with SigV4. The glossary is
/// honoured by post-processing: Translate's own custom terminologies are resources created
/// ahead in the account, not per session.
public struct AmazonTranslateTranslator: Translator {
    public let service: AWSService
    /// The languages it is used for.
    public let languages: Set<String>
    private let client = EngineHTTPClient(engine: "Amazon Translate")

    public init(service: AWSService, languages: Set<String>) {
        self.service = service
        self.languages = languages
    }

    public var supportedPairs: Set<TranslationPair> { TranslationPair.all(among: languages) }

    public func translate(_ text: String, from source: String, to target: String) async throws -> String {
        let response = try await service.post(
            service: "translate", path: "/",
            headers: [
                (name: "Content-Type", value: "application/x-amz-json-1.1"), (name: "X-Amz-Target", value: "AWSShineFrontendService_20170701.TranslateText"),
            ],
            json: [
                "Text": .string(text), "SourceLanguageCode": .string(LanguageTag.primary(source)), "TargetLanguageCode": .string(LanguageTag.primary(target)),
            ],
            client: client)
        return try client.text(in: try await EngineHTTPClient.json(of: response), at: ["TranslatedText"])
    }
}
