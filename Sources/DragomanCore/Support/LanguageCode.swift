/// A BCP-47 language tag reduced to the form Dragoman keys its streams by:
/// the primary language subtag in lower case (`en-US` → `en`, `ES` → `es`).
public struct LanguageCode: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Parses a BCP-47 tag; `nil` when it is not one (empty, not letters, wrong length).
    public init?(_ tag: String) {
        let primary =
            tag.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.split(separator: "_").first.map(String.init) ?? "" } ?? ""
        guard (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        self.rawValue = primary.lowercased()
    }

    public init(from decoder: any Decoder) throws {
        let tag = try decoder.singleValueContainer().decode(String.self)
        guard let code = LanguageCode(tag) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a language tag: \(tag)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The language's name in English.
    public var englishName: String { Self.names[rawValue]?.english ?? rawValue }

    /// The language's name in the language itself, as a listener picking it would read it.
    public var nativeName: String { Self.names[rawValue]?.native ?? rawValue }

    public static func < (lhs: LanguageCode, rhs: LanguageCode) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let names: [String: (english: String, native: String)] = [
        "ar": ("Arabic", "العربية"),
        "ca": ("Catalan", "català"),
        "cs": ("Czech", "čeština"),
        "da": ("Danish", "dansk"),
        "de": ("German", "Deutsch"),
        "el": ("Greek", "Ελληνικά"),
        "en": ("English", "English"),
        "eo": ("Esperanto", "Esperanto"),
        "es": ("Spanish", "español"),
        "eu": ("Basque", "euskara"),
        "fi": ("Finnish", "suomi"),
        "fr": ("French", "français"),
        "gl": ("Galician", "galego"),
        "hi": ("Hindi", "हिन्दी"),
        "it": ("Italian", "italiano"),
        "ja": ("Japanese", "日本語"),
        "ko": ("Korean", "한국어"),
        "nl": ("Dutch", "Nederlands"),
        "oc": ("Occitan", "occitan"),
        "pl": ("Polish", "polski"),
        "pt": ("Portuguese", "português"),
        "ro": ("Romanian", "română"),
        "ru": ("Russian", "русский"),
        "sv": ("Swedish", "svenska"),
        "tr": ("Turkish", "Türkçe"),
        "uk": ("Ukrainian", "українська"),
        "vi": ("Vietnamese", "Tiếng Việt"),
        "zh": ("Chinese", "中文"),
    ]
}
