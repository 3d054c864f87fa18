/// Who is at the other end of a connection.
public enum Role: String, Sendable, Codable, CaseIterable {
    case speaker
    case listener
    /// **(Dragoman)** A person interpreting the session into one language, whose voice replaces
    /// the synthesized one while on the air.
    case interpreter
}
