import Crypto
import Foundation

/// Making and checking secrets: speaker keys, interpreter tokens and session passcodes.
public enum Secrets {
    /// A new speaker key: a prefix that says what it is, then 256 random bits in base64url.
    public static func newKey() -> String {
        "dgk_" + randomBase64URL(byteCount: 32)
    }

    /// A new interpreter token: like a key, with its own prefix, so neither is taken for the other.
    public static func newInterpreterToken() -> String {
        "dgi_" + randomBase64URL(byteCount: 32)
    }

    /// A short random identifier for records (`key_1a2b3c4d`).
    public static func newIdentifier(prefix: String) -> String {
        prefix + "_" + randomHex(byteCount: 6)
    }

    /// The hash a key is stored and looked up by. Keys carry 256 random bits, so a plain SHA-256
    /// is enough; a slow hash protects only guessable secrets.
    public static func keyHash(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    /// A salted hash of a passcode, `salt$hash`.
    public static func passcodeHash(_ passcode: String) -> String {
        let salt = randomHex(byteCount: 16)
        return salt + "$" + hex(SHA256.hash(data: Data((salt + passcode).utf8)))
    }

    /// Whether `passcode` matches a stored `passcodeHash`, compared in constant time.
    public static func passcode(_ passcode: String, matches stored: String) -> Bool {
        guard let separator = stored.firstIndex(of: "$") else { return false }
        let salt = String(stored[..<separator])
        let expected = Array(stored[stored.index(after: separator)...].utf8)
        let actual = Array(hex(SHA256.hash(data: Data((salt + passcode).utf8))).utf8)
        return constantTimeEqual(expected, actual)
    }

    /// Compares without stopping at the first difference, so timing tells nothing.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func randomBase64URL(byteCount: Int) -> String {
        Data(randomBytes(byteCount)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func randomHex(byteCount: Int) -> String { hex(randomBytes(byteCount)) }

    private static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
