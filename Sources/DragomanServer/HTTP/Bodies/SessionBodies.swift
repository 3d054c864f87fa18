import DragomanCore
import Hummingbird

/// A session as its owner sees it (`POST /v1/sessions`, `GET /v1/sessions`).
struct OwnedSession: ResponseEncodable, Equatable {
    var sessionId: String
    var title: String
    var sourceLanguage: LanguageCode
    var targetLanguages: [LanguageCode]
    var status: SessionStatus
    var passcodeRequired: Bool
    var qualityTier: String
    /// ISO 8601.
    var createdAt: String
    /// The listener page.
    var joinUrl: String
}

/// The body of `GET /v1/sessions`: the caller's sessions that have not ended.
struct OwnedSessionList: ResponseEncodable, Equatable {
    var sessions: [OwnedSession]
}

/// The body of `GET /v1/sessions/{id}`: public facts only, what a listener needs to pick a
/// language and join.
struct PublicSession: ResponseEncodable, Equatable {
    var sessionId: String
    var title: String
    /// Absent when the speaker gave no name.
    var speakerName: String?
    var sourceLanguage: LanguageCode
    var status: SessionStatus
    var passcodeRequired: Bool
    var languages: [LanguageDescription]
}
