import DragomanStore
import Testing

/// `StoreConformance` on every backend this run has (see `StoreBackend`).
@Suite("Store conformance")
struct StoreConformanceTests {
    @Test(arguments: StoreBackend.available) func keys(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.keys)
    }

    @Test(arguments: StoreBackend.available) func revocation(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.revocation)
    }

    @Test(arguments: StoreBackend.available) func sessions(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.sessions)
    }

    @Test(arguments: StoreBackend.available) func sessionStatus(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.sessionStatus)
    }

    @Test(arguments: StoreBackend.available) func ownerListing(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.ownerListing)
    }

    @Test(arguments: StoreBackend.available) func transcripts(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.transcripts)
    }

    @Test(arguments: StoreBackend.available) func events(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.events)
    }

    @Test(arguments: StoreBackend.available) func wholeSuiteOnOneStore(_ backend: StoreBackend) async throws {
        try await backend.withStore(StoreConformance.run)
    }
}
