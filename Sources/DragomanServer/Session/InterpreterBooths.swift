import DragomanCore
import DragomanStore

/// The interpreters connected to a session, by language, and who of each language is on the air:
/// of the interpreters who are not muted, the one who connected unmuted or unmuted last. So a
/// hand-over is the incoming interpreter unmuting, and the outgoing one muting or leaving.
struct InterpreterBooths {
    /// One interpreter's connection.
    struct Seat {
        let pass: InterpreterPass
        var muted: Bool
        /// When it last went from muted to unmuted (or connected unmuted), in the order of changes.
        var unmutedAt: Int
    }

    private var seats: [ClientConnection: Seat] = [:]
    /// The change counter `unmutedAt` is taken from.
    private var changes = 0

    var connections: Dictionary<ClientConnection, Seat>.Keys { seats.keys }
    var isEmpty: Bool { seats.isEmpty }

    subscript(connection: ClientConnection) -> Seat? { seats[connection] }

    mutating func seat(_ connection: ClientConnection, pass: InterpreterPass, muted: Bool) {
        changes += 1
        seats[connection] = Seat(pass: pass, muted: muted, unmutedAt: changes)
    }

    mutating func unseat(_ connection: ClientConnection) {
        seats[connection] = nil
    }

    /// Mutes or unmutes an interpreter; unmuting puts it on the air, ahead of any other.
    mutating func setMuted(_ muted: Bool, for connection: ClientConnection) {
        guard var seat = seats[connection], seat.muted != muted else { return }
        seat.muted = muted
        if !muted {
            changes += 1
            seat.unmutedAt = changes
        }
        seats[connection] = seat
    }

    /// The connection of the interpreter on the air in `language`, if any.
    func onAir(in language: LanguageCode) -> (connection: ClientConnection, pass: InterpreterPass)? {
        seats.filter { !$0.value.muted && $0.value.pass.language == language }
            .max { $0.value.unmutedAt < $1.value.unmutedAt }
            .map { ($0.key, $0.value.pass) }
    }

    /// The interpreters of `language`, connected now.
    func connections(in language: LanguageCode) -> [ClientConnection] {
        seats.filter { $0.value.pass.language == language }.map(\.key)
    }

    /// The connections made with a pass.
    func connections(of passID: String) -> [ClientConnection] {
        seats.filter { $0.value.pass.id == passID }.map(\.key)
    }

    /// The languages that have an interpreter connected.
    var languages: Set<LanguageCode> { Set(seats.values.map(\.pass.language)) }
}

/// Whose voice a language's listeners hear: an interpreter's, the speaker's own (the session's
/// language), or the machine's.
struct LanguageVoice: Sendable, Equatable {
    /// The interpreter on the air; `nil` for the floor or the machine.
    var interpreter: InterpreterPass?
    var isFloor = false

    static let machine = LanguageVoice(interpreter: nil)
    static let floor = LanguageVoice(interpreter: nil, isFloor: true)

    /// `voice`, `interpreter` and `interpreterId`, as `voiceChanged` and first messages carry them.
    var onAir: VoiceOnAir {
        VoiceOnAir(voice: interpreter != nil ? .interpreter : isFloor ? .floor : .machine, interpreter: interpreter?.name, interpreterId: interpreter?.id)
    }
}
