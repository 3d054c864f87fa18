import DragomanCore
import Testing

@testable import DragomanServer

/// What a node keeps to share while PostgreSQL does not take it: bounded, newest counts only,
/// speech given up first, nothing reordered.
@Suite("Relay outbox")
struct RelayOutboxTests {
    static func frame(_ audience: RelayedFrame.Audience, _ sequence: Int) -> RelayOutbox.Item {
        .frame(RelayedFrame(sessionId: "s", audience: audience, language: "es", sequence: sequence, payload: []))
    }

    static func counts(_ listeners: Int) -> [LanguageCode: ListenerTally] {
        var tally = ListenerTally()
        tally.listeners = listeners
        return [LanguageCode("es")!: tally]
    }

    /// A short description of each item, to compare.
    static func names(_ items: [RelayOutbox.Item]) -> [String] {
        items.map { item in
            switch item {
            case .frame(let frame): "\(frame.audience == .caption ? "caption" : "speech") \(frame.sequence)"
            case .listeners(let session, let tally): "\(session) \(tally.values.first?.listeners ?? 0)"
            case .event(let sequence): "event \(sequence)"
            }
        }
    }

    @Test func onlyTheNewestCountOfASessionIsKept() {
        var outbox = RelayOutbox(capacity: 10)
        outbox.append(.listeners("a", Self.counts(1)))
        outbox.append(Self.frame(.caption, 1))
        outbox.append(.listeners("b", Self.counts(5)))
        outbox.append(.listeners("a", Self.counts(2)))
        #expect(Self.names(outbox.items) == ["caption 1", "b 5", "a 2"])
    }

    @Test func whenFullSpeechIsGivenUpFirst() {
        var outbox = RelayOutbox(capacity: 3)
        outbox.append(Self.frame(.caption, 1))
        outbox.append(Self.frame(.pcmAudio, 2))
        outbox.append(.event(7))
        outbox.append(Self.frame(.opusAudio, 3))
        outbox.append(Self.frame(.caption, 4))
        #expect(Self.names(outbox.items) == ["caption 1", "event 7", "caption 4"])
        #expect(outbox.dropped == 2)
        outbox.append(Self.frame(.caption, 5))
        #expect(Self.names(outbox.items) == ["event 7", "caption 4", "caption 5"])
        #expect(outbox.dropped == 3)
    }

    /// What a failed write did not send goes back before what came meanwhile; a count that came
    /// meanwhile is newer than the one put back.
    @Test func whatWasNotSentGoesBackInFront() {
        var outbox = RelayOutbox(capacity: 10)
        outbox.append(Self.frame(.caption, 1))
        outbox.append(.listeners("a", Self.counts(1)))
        outbox.append(Self.frame(.caption, 2))
        let batch = outbox.takeAll()
        #expect(outbox.items.isEmpty)
        outbox.append(Self.frame(.caption, 3))
        outbox.append(.listeners("a", Self.counts(4)))
        outbox.putBack(batch[1...])
        #expect(Self.names(outbox.items) == ["caption 2", "caption 3", "a 4"])
    }
}
