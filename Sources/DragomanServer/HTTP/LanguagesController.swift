import DragomanCore
import Hummingbird

/// `GET /v1/languages`: what speakers may speak and listeners may pick.
struct LanguagesController: Sendable {
    let catalog: LanguageCatalog

    func addRoutes(to router: Router<DragomanRequestContext>) {
        router.get("v1/languages") { _, _ in
            LanguageList(sources: catalog.sources.map(LanguageDescription.init), targets: catalog.targets.map(LanguageDescription.init))
        }
    }
}
