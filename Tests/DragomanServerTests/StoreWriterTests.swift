import DragomanStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import DragomanServer

/// `StoreWriter` with writes that fail on demand: what is stored at once, what is held, and in
/// which order the held writes reach the store.
@Suite("Store writer")
struct StoreWriterTests {
    /// Writes that fail while `refusing` is set, and the writes that went through, in order.
    final class Disk: Sendable {
        struct Full: Error {}
        let refusing = Mutex(false)
        let written = Mutex<[Int]>([])
        /// While set, writes wait (a store that is slow, not failing).
        let stalled = Mutex(false)

        func write(_ number: Int) -> StoreWriter.Write {
            { _ in
                while self.stalled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                try self.refusing.withLock { if $0 { throw Full() } }
                self.written.withLock { $0.append(number) }
            }
        }

        var writes: [Int] { written.withLock { $0 } }
    }

    /// Retries at once; a caller waits for its write as long as it takes (`patience`), so an
    /// outcome does not depend on how loaded the machine is.
    static let quick = StoreWriter.Policy(immediateRetries: [], patience: .seconds(60), backoff: .milliseconds(10), longestBackoff: .milliseconds(20))

    /// Runs `body` with a writer running as a service, then stops it gracefully.
    static func withWriter(policy: StoreWriter.Policy, _ body: (StoreWriter) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "writer-test")
        let writer = StoreWriter(store: try SQLiteStore(path: path), policy: policy, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [writer], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(writer)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// A slow store holds nobody back: past `patience` the caller goes on, the writes after it
    /// return at once, and all reach the store in order; one the slow store then refuses tells
    /// its caller.
    @Test func aSlowStoreHoldsNoCallerBackAndKeepsTheOrder() async throws {
        let disk = Disk()
        var policy = Self.quick
        policy.patience = .milliseconds(100)
        try await Self.withWriter(policy: policy) { writer in
            disk.stalled.withLock { $0 = true }
            #expect(await writer.write("one", disk.write(1)) == .late)
            #expect(await writer.write("two", disk.write(2)) == .late)
            #expect(await writer.write("three", disk.write(3)) == .late)
            // Every caller went on while the store had taken none of them.
            #expect(disk.writes.isEmpty)
            disk.stalled.withLock { $0 = false }
            let inOrder = try await RestartPersistenceTests.eventually { disk.writes == [1, 2, 3] }
            #expect(inOrder)

            let told = Mutex(false)
            disk.stalled.withLock { $0 = true }
            disk.refusing.withLock { $0 = true }
            #expect(await writer.write("four", whenHeld: { told.withLock { $0 = true } }, disk.write(4)) == .late)
            #expect(!told.withLock { $0 })
            disk.stalled.withLock { $0 = false }
            let wasTold = try await RestartPersistenceTests.eventually { told.withLock { $0 } }
            #expect(wasTold)
            disk.refusing.withLock { $0 = false }
            let all = try await RestartPersistenceTests.eventually { disk.writes == [1, 2, 3, 4] }
            #expect(all)
        }
    }

    @Test func aWriteTheStoreTakesIsDoneBeforeTheCallerGoesOn() async throws {
        let disk = Disk()
        try await Self.withWriter(policy: Self.quick) { writer in
            #expect(await writer.write("one", disk.write(1)) == .stored)
            #expect(disk.writes == [1])
        }
    }

    /// A refused write is held; those after it wait behind it, and all reach the store in order
    /// once it takes writes again.
    @Test func refusedWritesAreHeldAndRetriedInOrder() async throws {
        let disk = Disk()
        try await Self.withWriter(policy: Self.quick) { writer in
            disk.refusing.withLock { $0 = true }
            #expect(await writer.write("one", disk.write(1)) == .held)
            disk.refusing.withLock { $0 = false }
            // The store would take this one, but the first is still held: it goes after it.
            #expect(await writer.write("two", disk.write(2)) == .held || disk.writes == [1])
            let drained = try await RestartPersistenceTests.eventually { await writer.heldCount == 0 }
            #expect(drained)
            #expect(disk.writes == [1, 2])
            #expect(await writer.write("three", disk.write(3)) == .stored)
            #expect(disk.writes == [1, 2, 3])
        }
    }

    /// A write refused at first is tried again at once, and stored if the store recovers then.
    @Test func aShortBlinkIsRiddenOutAtOnce() async throws {
        let disk = Disk()
        var policy = Self.quick
        policy.immediateRetries = [.milliseconds(300)]
        try await Self.withWriter(policy: policy) { writer in
            disk.refusing.withLock { $0 = true }
            async let outcome = writer.write("one", disk.write(1))
            try await Task.sleep(for: .milliseconds(100))
            disk.refusing.withLock { $0 = false }
            #expect(await outcome == .stored)
            #expect(disk.writes == [1])
        }
    }

    /// When the server stops, the writes still held get one more try.
    @Test func heldWritesGetALastTryWhenTheServerStops() async throws {
        let disk = Disk()
        var policy = Self.quick
        policy.backoff = .seconds(3_600)
        policy.longestBackoff = .seconds(3_600)
        try await Self.withWriter(policy: policy) { writer in
            disk.refusing.withLock { $0 = true }
            #expect(await writer.write("one", disk.write(1)) == .held)
            disk.refusing.withLock { $0 = false }
        }
        #expect(disk.writes == [1])
    }

    /// Past its capacity the writer gives up the oldest write rather than grow without bound.
    @Test func beyondItsCapacityTheOldestIsGivenUp() async throws {
        let disk = Disk()
        var policy = Self.quick
        policy.capacity = 2
        policy.backoff = .seconds(3_600)
        policy.longestBackoff = .seconds(3_600)
        try await Self.withWriter(policy: policy) { writer in
            disk.refusing.withLock { $0 = true }
            for number in 1...3 { _ = await writer.write("\(number)", disk.write(number)) }
            #expect(await writer.heldCount == 2)
            disk.refusing.withLock { $0 = false }
        }
        #expect(disk.writes == [2, 3])
    }

    /// A held write the store refuses while it takes the others (it can never be stored) is
    /// given up after a few tries instead of holding every write after it for ever.
    @Test func aWriteThatCanNeverSucceedDoesNotBlockTheOthers() async throws {
        let disk = Disk()
        try await Self.withWriter(policy: Self.quick) { writer in
            disk.refusing.withLock { $0 = true }
            #expect(await writer.write("broken", { _ in throw Disk.Full() }) == .held)
            for number in 1...4 { #expect(await writer.write("\(number)", disk.write(number)) == .held) }
            disk.refusing.withLock { $0 = false }
            let drained = try await RestartPersistenceTests.eventually { await writer.heldCount == 0 }
            #expect(drained)
            #expect(disk.writes == [1, 2, 3, 4])
        }
    }
}
