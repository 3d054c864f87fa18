/// Session ids are two words and a number (`golden-eagle-427`): easy to read aloud at an event,
/// and, at 64 × 64 × 900 ≈ 3.7 million combinations, not worth enumerating past the limit of
/// failed guesses per address that `/ws` and every HTTP route naming a session share.
public enum SessionID {
    /// A new random id.
    public static func generate<Generator: RandomNumberGenerator>(using generator: inout Generator) -> String {
        let adjective = adjectives.randomElement(using: &generator)!
        let noun = nouns.randomElement(using: &generator)!
        let number = Int.random(in: 100...999, using: &generator)
        return "\(adjective)-\(noun)-\(number)"
    }

    /// A new random id from the system's generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Puts an id typed by a person into canonical form (`Golden Eagle 427` → `golden-eagle-427`);
    /// `nil` when it cannot be a session id.
    public static func normalize(_ typed: String) -> String? {
        let words = typed.lowercased().split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "_" })
        guard words.count == 3, words.allSatisfy({ !$0.isEmpty && $0.count <= 20 }),
            words[0].allSatisfy({ $0.isASCII && $0.isLetter }), words[1].allSatisfy({ $0.isASCII && $0.isLetter }),
            words[2].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return words.joined(separator: "-")
    }

    static let adjectives = [
        "amber", "ancient", "autumn", "bold", "brave", "bright", "calm", "clever", "coral", "cosmic",
        "crimson", "crystal", "dancing", "daring", "distant", "eager", "early", "emerald", "gentle", "gifted",
        "golden", "grand", "happy", "hidden", "honest", "humble", "ivory", "jolly", "kind", "lively",
        "lucky", "lunar", "merry", "mighty", "misty", "noble", "polar", "proud", "quick", "quiet",
        "rapid", "royal", "ruby", "rustic", "sandy", "scarlet", "silent", "silver", "smooth", "snowy",
        "solar", "spring", "steady", "sunny", "swift", "tidy", "velvet", "vivid", "warm", "wise",
        "witty", "young", "zesty", "brisk",
    ]

    static let nouns = [
        "badger", "beacon", "bear", "bison", "canyon", "cedar", "comet", "condor", "crane", "dolphin",
        "eagle", "falcon", "fern", "finch", "forest", "fox", "glacier", "harbor", "hawk", "heron",
        "island", "jaguar", "lake", "lark", "lion", "lotus", "maple", "meadow", "moose", "mountain",
        "oak", "ocean", "orchid", "otter", "owl", "panda", "pine", "planet", "prairie", "puffin",
        "rabbit", "raven", "reef", "river", "robin", "sparrow", "spruce", "star", "stone", "summit",
        "swan", "thunder", "tiger", "tulip", "valley", "violet", "walrus", "whale", "willow", "wolf",
        "wren", "yak", "zebra", "koala",
    ]
}
