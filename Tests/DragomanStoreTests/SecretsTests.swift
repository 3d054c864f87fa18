import DragomanStore
import Testing

@Suite("Secrets")
struct SecretsTests {
    @Test func keysAreLongRandomAndURLSafe() {
        let keys = (0..<100).map { _ in Secrets.newKey() }
        #expect(Set(keys).count == 100)
        for key in keys {
            #expect(key.hasPrefix("dgk_"))
            #expect(key.count == 4 + 43)
            #expect(key.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }

    @Test func keyHashIsStableAndHex() {
        let hash = Secrets.keyHash("dgk_example")
        #expect(hash == Secrets.keyHash("dgk_example"))
        #expect(hash != Secrets.keyHash("dgk_example2"))
        #expect(hash.count == 64)
        #expect(hash.allSatisfy { $0.isHexDigit })
    }

    @Test func passcodesAreSaltedAndChecked() {
        let first = Secrets.passcodeHash("1234")
        let second = Secrets.passcodeHash("1234")
        #expect(first != second)
        #expect(first.contains("$"))
        #expect(Secrets.passcode("1234", matches: first))
        #expect(Secrets.passcode("1234", matches: second))
        #expect(!Secrets.passcode("12345", matches: first))
        #expect(!Secrets.passcode("", matches: first))
        #expect(!Secrets.passcode("1234", matches: "no-separator"))
    }

    @Test func identifiersHaveTheirPrefix() {
        let id = Secrets.newIdentifier(prefix: "key")
        #expect(id.hasPrefix("key_"))
        #expect(id.count == 4 + 12)
    }

    @Test func constantTimeEqual() {
        #expect(Secrets.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Secrets.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Secrets.constantTimeEqual([1, 2], [1, 2, 3]))
        #expect(Secrets.constantTimeEqual([], []))
    }
}
