import DragomanCore
import Foundation

/// Units of synthesized speech kept as WAV files for the replaced design's current listener app,
/// which plays each unit from a URL (`translatedAudio`) as it played that design's presigned S3
/// URLs: a unit is kept `lifetime` seconds under a name nobody can guess, and is served at
/// `/v1/sessions/{id}/audio/{name}.wav` only under its own session.
actor SpeechUnits {
    struct Unit {
        let sessionId: String
        let wav: [UInt8]
        /// When it goes, in `clock` seconds.
        let expires: Double
    }

    /// How long a unit can be fetched: the design's presigned URLs lasted ten minutes.
    let lifetime: Double
    private let clock: any MonotonicClock
    private var units: [String: Unit] = [:]
    /// The name of each shared unit by session, language and what it is: listeners of one language share it.
    private var names: [String: String] = [:]

    init(lifetime: Double = 600, clock: any MonotonicClock) {
        self.lifetime = lifetime
        self.clock = clock
    }

    /// Keeps a unit of speech, unless a listener of the same language already kept the one
    /// `sharedAs` names; returns its name. A unit shared by no one (`nil`) gets a name of its own.
    /// Expired units go first, so what is kept is bounded by what ten minutes produce.
    func keep(sessionId: String, language: LanguageCode, sharedAs: String?, wav: [UInt8]) -> String {
        let now = clock.seconds
        for (name, unit) in units where unit.expires <= now { units[name] = nil }
        names = names.filter { units[$0.value] != nil }
        let key = sharedAs.map { "\(sessionId)/\(language)/\($0)" }
        if let key, let name = names[key] { return name }
        let name = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined(separator: "-")
        units[name] = Unit(sessionId: sessionId, wav: wav, expires: now + lifetime)
        if let key { names[key] = name }
        return name
    }

    /// A unit of `sessionId` that has not expired, and the seconds it has left.
    func unit(named name: String, sessionId: String) -> (wav: [UInt8], secondsLeft: Int)? {
        guard let unit = units[name], unit.sessionId == sessionId else { return nil }
        let left = unit.expires - clock.seconds
        return left > 0 ? (unit.wav, Int(left)) : nil
    }
}
