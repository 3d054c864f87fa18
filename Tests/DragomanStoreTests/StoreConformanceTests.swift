import DragomanStore
import Testing

/// `StoreConformance` on every backend this run has (see `StoreBackend`), check by check.
@Suite("Store conformance")
struct StoreConformanceTests {
    /// One check of the suite, or all of them on one store.
    enum Check: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case keys, revocation, sessions, sessionStatus, ownerListing, transcripts, events, wholeSuiteOnOneStore

        var testDescription: String { rawValue }

        func run(_ store: any DragomanStore) async throws {
            switch self {
            case .keys: try await StoreConformance.keys(store)
            case .revocation: try await StoreConformance.revocation(store)
            case .sessions: try await StoreConformance.sessions(store)
            case .sessionStatus: try await StoreConformance.sessionStatus(store)
            case .ownerListing: try await StoreConformance.ownerListing(store)
            case .transcripts: try await StoreConformance.transcripts(store)
            case .events: try await StoreConformance.events(store)
            case .wholeSuiteOnOneStore: try await StoreConformance.run(store)
            }
        }
    }

    @Test(arguments: StoreBackend.available, Check.allCases)
    func conformance(_ backend: StoreBackend, _ check: Check) async throws {
        try await backend.withStore(check.run)
    }
}
