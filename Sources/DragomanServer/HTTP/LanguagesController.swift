import DragomanCore
import Hummingbird

/// `GET /v1/languages`: what speakers may speak and listeners may pick.
struct LanguagesController: Sendable {
    let catalog: LanguageCatalog

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("v1/languages") { _, _ -> JSONValue in
            [
                "sources": .array(catalog.sources.map(Self.describe)),
                "targets": .array(catalog.targets.map(Self.describe)),
            ]
        }
    }

    /// A language as the API describes it.
    static func describe(_ language: LanguageCode) -> JSONValue {
        ["code": .string(language.rawValue), "name": .string(language.englishName), "nativeName": .string(language.nativeName)]
    }
}
