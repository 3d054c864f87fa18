import Foundation

/// The "Session Status Change" event as a CloudEvents 1.0 JSON document.
public struct SessionStatusChangeEvent: Sendable, Equatable, Codable {
    /// The CloudEvents `type` of every session status change.
    public static let eventType = "Session Status Change"

    public var specversion = "1.0"
    public var id: String
    public var source: String
    public var type = SessionStatusChangeEvent.eventType
    public var subject: String
    /// RFC 3339.
    public var time: String
    public var datacontenttype = "application/json"
    public var data: Payload

    /// The `data` member.
    public struct Payload: Sendable, Equatable, Codable {
        public var sessionId: String
        public var status: SessionStatus
        public var previousStatus: SessionStatus?
        public var reason: String
        public var title: String
        public var sourceLanguage: String

        // `previousStatus` is written as null for the first event, so consumers always find it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sessionId, forKey: .sessionId)
            try container.encode(status, forKey: .status)
            try container.encode(previousStatus, forKey: .previousStatus)
            try container.encode(reason, forKey: .reason)
            try container.encode(title, forKey: .title)
            try container.encode(sourceLanguage, forKey: .sourceLanguage)
        }
    }

    public init(id: String, source: String, time: Date, sessionId: String, title: String, sourceLanguage: LanguageCode, transition: StatusTransition) {
        self.id = id
        self.source = source
        self.subject = sessionId
        self.time = time.formatted(.iso8601)
        self.data = Payload(
            sessionId: sessionId, status: transition.status, previousStatus: transition.previousStatus,
            reason: transition.reason, title: title, sourceLanguage: sourceLanguage.rawValue)
    }

    /// The JSON document.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
