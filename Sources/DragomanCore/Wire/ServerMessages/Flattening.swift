/// A key named at run time, to look into an object whose keys belong to several types.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) {
        self.stringValue = stringValue
    }

    init?(stringValue: String) {
        self.init(stringValue)
    }

    init?(intValue: Int) {
        nil
    }
}

extension Decodable {
    /// Decodes a group of fields that sits at the top level of the enclosing message, when the
    /// message has `key` (the group's mandatory field); `nil` otherwise.
    static func flattened(from decoder: any Decoder, whenItHas key: String) throws -> Self? {
        try decoder.container(keyedBy: AnyCodingKey.self).contains(AnyCodingKey(key)) ? Self(from: decoder) : nil
    }
}
