/// Which engine serves which language: `espeak` (one engine for all), or `espeak,en=wyoming`
/// (Piper for English, eSpeak NG for the rest), or `en=wyoming` (English only). Entries are
/// separated by commas; `LANGUAGE=ENGINE` routes one language, a bare `ENGINE` is the default.
/// An engine may be a chain, `wyoming|espeak`: the next stands in when one fails.
public struct EngineChoice: Sendable, Equatable {
    /// The engine (or chain, `wyoming|espeak`) of every language not named; `nil` when only
    /// named languages are served.
    public var defaultEngine: String?
    /// The engine (or chain) of each named language (BCP-47 primary code).
    public var byLanguage: [String: String]

    /// Reads a choice, checking every engine name against `known`.
    public init(parsing text: String, known: Set<String>) throws(ConfigurationError) {
        defaultEngine = nil
        byLanguage = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let engine = parts.last!
            guard Self.chain(engine).allSatisfy(known.contains), parts.count <= 2, parts.count == 1 || !parts[0].isEmpty else {
                throw ConfigurationError(
                    description:
                        "\"\(entry)\" is not ENGINE or LANGUAGE=ENGINE with ENGINE one of \(known.sorted().joined(separator: ", ")) (or several joined by |)")
            }
            if parts.count == 1 {
                guard defaultEngine == nil else { throw ConfigurationError(description: "\"\(text)\" names more than one default engine") }
                defaultEngine = engine
            } else {
                byLanguage[parts[0].lowercased()] = engine
            }
        }
        guard defaultEngine != nil || !byLanguage.isEmpty else { throw ConfigurationError(description: "no engine is named") }
    }

    /// Every engine the choice uses.
    public var engines: Set<String> { Set((Array(byLanguage.values) + [defaultEngine].compactMap { $0 }).flatMap(Self.chain)) }

    /// The engines of a chain, in order: `wyoming|espeak` → `wyoming`, `espeak`.
    static func chain(_ text: String) -> [String] {
        text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

extension EngineChoice {
    static let recognizers: Set<String> = ["pocketsphinx", "wyoming", "openai", "aws"]
    static let translators: Set<String> = ["apertium", "libretranslate", "openai", "aws"]
    static let synthesizers: Set<String> = ["espeak", "wyoming", "openai", "aws"]
}

/// Lists of languages and maps from language to a name, as settings write them: `en,es,fr` and
/// `en=en_US-joe-medium,de=de_DE-thorsten-medium`.
enum SettingList {
    static func languages(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
    }

    static func map(_ text: String) -> [String: String] {
        var map: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { map[parts[0].lowercased()] = parts[1] }
        }
        return map
    }
}
