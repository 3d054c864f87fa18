/// Runs every session's pipeline as a child task of one task group, which the session registry's
/// service runs: no pipeline outlives the server, and the server's shutdown waits until each one
/// has returned.
///
/// A session starts its pipeline from inside its actor, without waiting (`start`); the group
/// picks it up. Stopping a pipeline cancels that child alone (`PipelineRun.stop`).
struct PipelineRunner: Sendable {
    private let runs: AsyncStream<PipelineRun>
    private let submit: AsyncStream<PipelineRun>.Continuation

    init() {
        (runs, submit) = AsyncStream.makeStream(of: PipelineRun.self)
    }

    /// Hands `run` to the group. Once the runner has stopped (the server is stopping), the run
    /// never starts and reads as finished at once.
    func start(_ run: PipelineRun) {
        if case .terminated = submit.yield(run) { run.didFinish() }
    }

    /// Runs the pipelines it is given until the task running it is cancelled; then every one of
    /// them is cancelled, and this returns when all have returned.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await run in runs {
                group.addTask { await run.run() }
            }
            // Cancelled: the children are cancelled with this task, and the group waits for them.
            submit.finish()
        }
    }
}

/// One pipeline's run under a `PipelineRunner`: its work, a way to stop it from outside, and a
/// way to wait until it has returned.
final class PipelineRun: Sendable {
    private let work: @Sendable () async -> Void
    private let stopRequests: AsyncStream<Never>
    private let stopSignal: AsyncStream<Never>.Continuation
    private let finish: AsyncStream<Never>
    private let finishSignal: AsyncStream<Never>.Continuation

    init(_ work: @escaping @Sendable () async -> Void) {
        self.work = work
        (stopRequests, stopSignal) = AsyncStream.makeStream(of: Never.self)
        (finish, finishSignal) = AsyncStream.makeStream(of: Never.self)
    }

    /// Runs the work until it returns or `stop` is called, whichever comes first; on `stop`,
    /// the work is cancelled and waited for.
    fileprivate func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.work() }
            group.addTask { for await _ in self.stopRequests {} }
            await group.next()
            group.cancelAll()
        }
        didFinish()
    }

    /// Cancels the work; does not wait (`finished` does).
    func stop() {
        stopSignal.finish()
    }

    /// Returns when the work has returned (or will never start). One caller at a time.
    func finished() async {
        for await _ in finish {}
    }

    fileprivate func didFinish() {
        finishSignal.finish()
    }
}
