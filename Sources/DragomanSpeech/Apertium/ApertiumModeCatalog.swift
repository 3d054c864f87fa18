import Foundation

/// The language pairs the installed Apertium modes can translate, directly or through a
/// pivot language, read from the `.mode` files so nothing has to be tried to find out.
///
/// A mode file (e.g. `eng-spa.mode`) is a shell pipeline of Apertium stages. Mode names use
/// ISO 639-1 or 639-3 codes (`en-gl`, `eng-spa`); the catalog reports BCP-47 codes (`en`,
/// `es`, `gl`). Variant modes (`eng-cat_valencia`, `es-pt_BR`) and developer modes
/// (`en-eo-bytecode`) are left out.
public struct ApertiumModeCatalog: Sendable {
    /// Where Debian's Apertium packages install their modes.
    public static let debianModesDirectory = "/usr/share/apertium/modes"

    /// The mode file of every directly installed pair.
    public let modeFiles: [TranslationPair: String]
    /// Languages tried, in order, as intermediates for pairs with no direct mode.
    public let pivotLanguages: [String]
    /// Every pair that can be translated, directly or through a pivot.
    public let supportedPairs: Set<TranslationPair>

    /// Reads the mode files in `directory`.
    ///
    /// - Parameter pivotLanguages: intermediates for pairs with no direct mode. Spanish is
    ///   the hub of Apertium's Romance pairs, so `en→fr` can go `en→es→fr`.
    public init(directory: String = debianModesDirectory, pivotLanguages: [String] = ["es"]) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ApertiumError.unreadableMode(path: directory)
        }
        var modeFiles: [TranslationPair: String] = [:]
        // Sorted so that where two modes serve one pair ("en-es", "eng-spa"), the choice is
        // stable: the ISO 639-3 name, which newer packages use, sorts after and wins.
        for name in names.sorted() where name.hasSuffix(".mode") {
            let languages = name.dropLast(".mode".count).split(separator: "-")
            guard languages.count == 2,
                languages.allSatisfy({ (2...3).contains($0.count) && $0.allSatisfy(\.isLowercase) })
            else { continue }
            let pair = TranslationPair(source: Self.bcp47(languages[0]), target: Self.bcp47(languages[1]))
            modeFiles[pair] = "\(directory)/\(name)"
        }
        self.modeFiles = modeFiles
        self.pivotLanguages = pivotLanguages
        let languages = Set(modeFiles.keys.flatMap { [$0.source, $0.target] })
        supportedPairs = Set(
            languages.flatMap { source in
                languages.map { TranslationPair(source: source, target: $0) }
            }.filter { Self.route(from: $0.source, to: $0.target, modeFiles: modeFiles, pivots: pivotLanguages) != nil })
    }

    /// The languages `source` can be translated into, directly or through a pivot.
    public func targetLanguages(from source: String) -> Set<String> {
        Set(supportedPairs.lazy.filter { $0.source == source }.map(\.target))
    }

    /// The modes to run one after the other to translate `source` into `target`: one for a
    /// direct pair, two through a pivot; nil when neither is installed.
    public func route(from source: String, to target: String) -> [TranslationPair]? {
        Self.route(from: source, to: target, modeFiles: modeFiles, pivots: pivotLanguages)
    }

    private static func route(
        from source: String, to target: String, modeFiles: [TranslationPair: String], pivots: [String]
    ) -> [TranslationPair]? {
        guard source != target else { return nil }
        let direct = TranslationPair(source: source, target: target)
        if modeFiles[direct] != nil { return [direct] }
        for pivot in pivots where pivot != source && pivot != target {
            let first = TranslationPair(source: source, target: pivot)
            let second = TranslationPair(source: pivot, target: target)
            if modeFiles[first] != nil && modeFiles[second] != nil { return [first, second] }
        }
        return nil
    }

    /// The shell command running `pair`'s mode as a long-lived null-flushing pipeline.
    ///
    /// Each stage gets `-z`, so it flushes its output at every NUL byte instead of waiting
    /// for the end of input, as Apertium's own server (APY) runs them. `$1`, the generator's
    /// unknown-word option, becomes `-n` so unknown words are not marked; `$2` (the tagger's
    /// optional flag) is dropped.
    func pipelineCommand(for pair: TranslationPair) throws -> String {
        guard let path = modeFiles[pair],
            let mode = try? String(contentsOfFile: path, encoding: .utf8)
        else { throw ApertiumError.unreadableMode(path: modeFiles[pair] ?? "\(pair)") }
        return
            mode
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "|")
            .map { stage in
                let words = stage.replacingOccurrences(of: "$1", with: "-n")
                    .replacingOccurrences(of: "$2", with: "")
                    .split(separator: " ", maxSplits: 1)
                return ([words[0], "-z"] + words.dropFirst()).joined(separator: " ")
            }
            .joined(separator: " | ")
    }

    /// The BCP-47 code for a mode name's language: ISO 639-3 codes with a two-letter
    /// equivalent are shortened; others are already valid BCP-47.
    private static func bcp47(_ code: Substring) -> String {
        let twoLetter = [
            "afr": "af", "arg": "an", "ara": "ar", "bel": "be", "bul": "bg", "bre": "br", "cat": "ca",
            "ces": "cs", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo",
            "spa": "es", "est": "et", "eus": "eu", "fin": "fi", "fra": "fr", "gle": "ga", "glg": "gl",
            "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "isl": "is", "ita": "it", "kaz": "kk",
            "lit": "lt", "lav": "lv", "mkd": "mk", "mlt": "mt", "nld": "nl", "nno": "nn", "nob": "nb",
            "oci": "oc", "pol": "pl", "por": "pt", "ron": "ro", "rus": "ru", "slk": "sk", "slv": "sl",
            "sqi": "sq", "srp": "sr", "swe": "sv", "tat": "tt", "tur": "tr", "ukr": "uk", "urd": "ur",
        ]
        return twoLetter[String(code)] ?? String(code)
    }
}
