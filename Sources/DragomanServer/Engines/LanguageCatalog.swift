import DragomanCore

/// The languages this server can recognize (sources) and deliver (targets), as the configured
/// engines provide them. Decided at start, never discovered while a session runs.
public struct LanguageCatalog: Sendable, Equatable {
    public var sources: [LanguageCode]
    public var targets: [LanguageCode]

    public init(sources: [LanguageCode], targets: [LanguageCode]) {
        self.sources = sources.sorted()
        self.targets = targets.sorted()
    }

    public func canRecognize(_ language: LanguageCode) -> Bool { sources.contains(language) }

    /// A listener may pick any target language, or the session's own language.
    public func canDeliver(_ language: LanguageCode, from source: LanguageCode) -> Bool {
        language == source || targets.contains(language)
    }

    /// The languages a listener of a session in `source` may pick.
    public func deliverable(from source: LanguageCode) -> [LanguageCode] {
        Array(Set(targets + [source])).sorted()
    }
}
