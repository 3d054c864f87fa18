/// Helpers for the BCP-47 language codes the engines are keyed by.
enum LanguageTag {
    /// The primary language subtag, lowercased: `"en-US"` → `"en"`, `"pt_BR"` → `"pt"`.
    static func primary(_ tag: String) -> String {
        String(tag.prefix { $0 != "-" && $0 != "_" }).lowercased()
    }
}
