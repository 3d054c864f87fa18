import DragomanCore
import Foundation
import Testing

@Suite("LanguageCode")
struct LanguageCodeTests {
    @Test(arguments: [
        ("en", "en"), ("EN", "en"), ("en-US", "en"), ("es-419", "es"), ("zh-Hant-TW", "zh"), ("pt_BR", "pt"),
        ("fil", "fil"), ("Es", "es"),
    ])
    func reducesTagsToThePrimaryLanguage(tag: String, code: String) {
        #expect(LanguageCode(tag)?.rawValue == code)
    }

    @Test(arguments: ["", "e", "engl", "english", "12", "e1", "-en", "en us", "é", "日本", "en!"])
    func rejectsWhatIsNoTag(tag: String) {
        #expect(LanguageCode(tag) == nil)
    }

    @Test func codableAsItsTag() throws {
        let codes = [LanguageCode("es")!, LanguageCode("fr-CA")!]
        let data = try JSONEncoder().encode(codes)
        #expect(String(decoding: data, as: UTF8.self) == #"["es","fr"]"#)
        #expect(try JSONDecoder().decode([LanguageCode].self, from: Data(#"["ES","pt-BR"]"#.utf8)) == [LanguageCode("es")!, LanguageCode("pt")!])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LanguageCode].self, from: Data(#"["not a language"]"#.utf8))
        }
    }

    @Test func namesAndOrder() {
        let spanish = LanguageCode("es")!
        #expect(spanish.englishName == "Spanish")
        #expect(spanish.nativeName == "español")
        #expect(spanish.description == "es")
        // Unknown languages fall back to their code.
        #expect(LanguageCode("xx")!.englishName == "xx")
        #expect(LanguageCode("xx")!.nativeName == "xx")
        #expect([LanguageCode("fr")!, LanguageCode("de")!, LanguageCode("es")!].sorted().map(\.rawValue) == ["de", "es", "fr"])
        #expect(LanguageCode("en-GB") == LanguageCode("en-US"))
    }
}
