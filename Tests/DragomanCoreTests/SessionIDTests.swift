import DragomanCore
import Testing

/// A seeded generator (SplitMix64), so generated ids can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("SessionID")
struct SessionIDTests {
    /// Whether `id` has the form of `golden-eagle-427`.
    private func isWellFormed(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3
            && parts[0].allSatisfy { $0.isASCII && $0.isLowercase } && !parts[0].isEmpty
            && parts[1].allSatisfy { $0.isASCII && $0.isLowercase } && !parts[1].isEmpty
            && parts[2].count == 3 && parts[2].allSatisfy(\.isNumber) && Int(parts[2])! >= 100
    }

    @Test func generatedIdsAreTwoWordsAndANumber() {
        for _ in 0..<500 {
            let id = SessionID.generate()
            #expect(isWellFormed(id), "\(id)")
            #expect(SessionID.normalize(id) == id)
        }
    }

    @Test func generatedIdsVary() {
        let ids = Set((0..<200).map { _ in SessionID.generate() })
        #expect(ids.count > 190)
    }

    @Test func aSeededGeneratorReproducesIds() {
        var first = SeededGenerator(state: 42)
        var second = SeededGenerator(state: 42)
        let a = (0..<5).map { _ in SessionID.generate(using: &first) }
        let b = (0..<5).map { _ in SessionID.generate(using: &second) }
        #expect(a == b)
        #expect(a.allSatisfy(isWellFormed))
    }

    @Test(arguments: [
        ("golden-eagle-427", "golden-eagle-427"),
        ("Golden Eagle 427", "golden-eagle-427"),
        ("GOLDEN-EAGLE-427", "golden-eagle-427"),
        ("golden_eagle_427", "golden-eagle-427"),
        ("golden  eagle -427", "golden-eagle-427"),
    ])
    func normalizesWhatAPersonTypes(typed: String, id: String) {
        #expect(SessionID.normalize(typed) == id)
    }

    @Test(arguments: [
        "", "golden-eagle", "golden-eagle-427-1", "golden-eagle-abc", "g0lden-eagle-427", "golden-eagle-4x7",
        "gölden-eagle-427", "averyveryveryverylongword-eagle-427", "../../etc-passwd-1", "golden/eagle/427",
    ])
    func rejectsWhatCannotBeAnId(typed: String) {
        #expect(SessionID.normalize(typed) == nil)
    }
}
