import DragomanCore
import Foundation

/// A JSON text frame the server sent, decoded as the protocol's `ServerMessage`, with access to
/// its raw fields too.
struct Message: Sendable, CustomStringConvertible {
    let text: String
    let json: JSONValue
    let message: ServerMessage

    /// Parses a text frame.
    /// - Throws: `DecodingError` when it is not a server message of the protocol.
    init(decoding text: String) throws {
        self.message = try ServerMessage.decode(text)
        self.json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        self.text = text
    }

    /// Parses a text frame; `nil` when it is not a server message.
    init?(text: String) {
        try? self.init(decoding: text)
    }

    var type: String? { json["type"]?.stringValue }
    var sessionId: String? { json["sessionId"]?.stringValue }
    /// The `code` of an `error`.
    var code: String? { json["code"]?.stringValue }
    var keys: Set<String> {
        if case .object(let members) = json { return Set(members.keys) }
        return []
    }

    subscript(key: String) -> JSONValue? { json[key] }

    var description: String { text }
}

extension JSONValue {
    /// The number as an `Int`, if it is a whole number.
    var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded(): Int(value)
        default: nil
        }
    }

    /// The members' names, if this is an object.
    var keys: Set<String> {
        if case .object(let members) = self { return Set(members.keys) }
        return []
    }
}
