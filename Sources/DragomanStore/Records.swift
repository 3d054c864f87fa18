import DragomanCore
import Foundation

/// What a credential may do.
public enum KeyRole: String, Sendable, Codable, CaseIterable {
    /// Creates and runs its own sessions.
    case speaker
    /// A speaker that may also read the operator event stream.
    case `operator`
}

/// A stored credential. The secret itself is never stored, only its hash.
public struct KeyRecord: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var role: KeyRole
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: KeyRole, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

/// A key just created: the record and, this once, its secret.
public struct CreatedKey: Sendable {
    public var record: KeyRecord
    public var secret: String
}

/// A stored session.
public struct SessionRecord: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    /// Who speaks, as listeners see it beside the title; `nil` when the speaker gave no name.
    public var speakerName: String?
    public var sourceLanguage: LanguageCode
    /// Languages the speaker asked for up front; listeners may still pick any available one.
    public var targetLanguages: [LanguageCode]
    /// Salted hash of the passcode listeners must give; `nil` when the session is open.
    public var passcodeHash: String?
    public var ownerKeyID: String
    public var qualityTier: String?
    public var status: SessionStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var endedAt: Date?

    public init(
        id: String, title: String, sourceLanguage: LanguageCode, targetLanguages: [LanguageCode], passcodeHash: String?,
        ownerKeyID: String, qualityTier: String?, status: SessionStatus = .created, createdAt: Date, speakerName: String? = nil
    ) {
        self.id = id
        self.title = title
        self.speakerName = speakerName
        self.sourceLanguage = sourceLanguage
        self.targetLanguages = targetLanguages
        self.passcodeHash = passcodeHash
        self.ownerKeyID = ownerKeyID
        self.qualityTier = qualityTier
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}

/// A stored lifecycle event: its position in the event log and the CloudEvents document.
public struct StoredEvent: Sendable, Equatable {
    public var sequence: Int64
    public var document: String

    public init(sequence: Int64, document: String) {
        self.sequence = sequence
        self.document = document
    }
}

/// Errors of the store that callers act on.
public enum StoreError: Error, Equatable {
    case duplicateSessionID(String)
}
