import Foundation
import Synchronization
import Testing

@testable import DragomanServer

/// The pipelines run as children of the runner's task group: stopping one cancels it alone, and
/// the runner returns only once every pipeline it was given has returned.
@Suite("Pipeline runner")
struct PipelineRunnerTests {
    /// Work that runs until it is cancelled, counting starts and ends.
    final class Work: Sendable {
        let started = Mutex(0)
        let ended = Mutex(0)

        func run() async {
            started.withLock { $0 += 1 }
            // Sleeps until cancelled: nothing but cancellation ends it.
            while (try? await Task.sleep(for: .seconds(3600))) != nil {}
            ended.withLock { $0 += 1 }
        }
    }

    @Test func stoppingARunCancelsItAloneAndItFinishes() async throws {
        let runner = PipelineRunner()
        let work = Work()
        let (first, second) = (PipelineRun(work.run), PipelineRun(work.run))
        let service = Task { await runner.run() }
        runner.start(first)
        runner.start(second)
        #expect(try await RestartPersistenceTests.eventually { work.started.withLock { $0 } == 2 })
        first.stop()
        await first.finished()
        #expect(work.ended.withLock { $0 } == 1)

        // Cancelling the runner cancels what is left, and it returns once that has returned.
        service.cancel()
        await service.value
        await second.finished()
        #expect(work.ended.withLock { $0 } == 2)
    }

    @Test func aRunGivenToAStoppedRunnerNeverStartsAndReadsAsFinished() async {
        let runner = PipelineRunner()
        let service = Task { await runner.run() }
        service.cancel()
        await service.value
        let work = Work()
        let late = PipelineRun(work.run)
        runner.start(late)
        await late.finished()
        #expect(work.started.withLock { $0 } == 0)
    }

    @Test func workThatReturnsOnItsOwnFinishesTheRun() async {
        let runner = PipelineRunner()
        let service = Task { await runner.run() }
        let done = PipelineRun {}
        runner.start(done)
        await done.finished()
        service.cancel()
        await service.value
    }
}
