/// Who is at the other end of a connection.
public enum Role: String, Sendable, Codable, CaseIterable {
    case speaker
    case listener
}
