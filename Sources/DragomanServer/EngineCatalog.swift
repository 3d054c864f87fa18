import DragomanCore
import Logging

/// The languages of the configured engines.
public enum EngineCatalog {
    /// The embedded tier: pocketsphinx (English) in, Apertium and eSpeak NG out.
    public static func embedded(logger: Logger) async throws -> LanguageCatalog {
        LanguageCatalog(
            sources: [LanguageCode("en")!],
            targets: ["es", "ca", "gl", "eo", "fr", "pt", "it", "ro", "oc"].compactMap(LanguageCode.init))
    }
}
