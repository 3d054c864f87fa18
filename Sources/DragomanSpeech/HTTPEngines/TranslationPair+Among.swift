extension TranslationPair {
    /// Every pair of two different languages of `languages`: what a service that translates
    /// between all of its languages offers.
    static func all(among languages: Set<String>) -> Set<TranslationPair> {
        Set(languages.flatMap { source in languages.filter { $0 != source }.map { TranslationPair(source: source, target: $0) } })
    }
}
