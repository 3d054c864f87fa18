import DragomanCore
import Hummingbird

/// A language as the API describes it.
struct LanguageDescription: ResponseEncodable, Equatable {
    var code: LanguageCode
    var name: String
    var nativeName: String

    init(_ language: LanguageCode) {
        code = language
        name = language.englishName
        nativeName = language.nativeName
    }
}

/// The body of `GET /v1/languages`: what speakers may speak and listeners may pick.
struct LanguageList: ResponseEncodable, Equatable {
    var sources: [LanguageDescription]
    var targets: [LanguageDescription]
}
