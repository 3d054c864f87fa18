import DragomanCore

/// A session's end of its pipeline: the inputs it pushes, the run that executes the pipeline and
/// hands what it emits to the session, and who waits for a flush. The pipeline runs as one child
/// task of the `PipelineRunner`'s group (its language streams and pacers are child tasks of it):
/// stopping the run stops everything.
struct PipelineLink {
    private let feed: AsyncStream<PipelineInput>.Continuation
    private let run: PipelineRun
    private var flushWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextFlush = 0
    /// The audience last pushed, so an unchanged one is not pushed again.
    private var lastAudience: PipelineAudience?

    /// Starts `pipeline` under `runner`; what it emits goes to `session.receive`, in order.
    init(running pipeline: SessionPipeline, under runner: PipelineRunner, for session: LiveSession) {
        let (inputs, feed) = AsyncStream.makeStream(of: PipelineInput.self)
        let (outputs, emit) = AsyncStream.makeStream(of: PipelineOutput.self)
        self.feed = feed
        // The session holds the run; the run holds the session only while it hands over an output.
        run = PipelineRun { [weak session] in
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await pipeline.run(inputs, emit: emit)
                    emit.finish()
                }
                for await output in outputs {
                    guard let session else { break }
                    await session.receive(output).send()
                }
            }
        }
        runner.start(run)
    }

    /// Pushes an input; returns `false` when the pipeline has ended.
    @discardableResult
    func send(_ input: PipelineInput) -> Bool {
        if case .terminated = feed.yield(input) { return false }
        return true
    }

    /// Pushes the audience, unless it is the one last pushed.
    mutating func push(_ audience: PipelineAudience) {
        guard audience != lastAudience else { return }
        lastAudience = audience
        send(.audience(audience))
    }

    /// Asks the pipeline to finish the segment under way; `waiter` is resumed when it is
    /// published, or at once when the pipeline has ended.
    mutating func flush(_ waiter: CheckedContinuation<Void, Never>) {
        nextFlush += 1
        guard send(.flush(nextFlush)) else { return waiter.resume() }
        flushWaiters[nextFlush] = waiter
    }

    /// The pipeline emitted `flushed`.
    mutating func didFlush(_ token: Int) {
        flushWaiters.removeValue(forKey: token)?.resume()
    }

    /// Drains the pipeline (`drain`), waiting at most `deadline`; past it, what is left is stopped.
    /// Whoever waits for a flush is let go then: the drain finished that segment too, and the
    /// `flushed` it emitted found the session no longer holding this link.
    mutating func drain(deadline: Duration) async {
        send(.drain)
        feed.finish()
        let run = run
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await run.finished() }
            group.addTask { try? await Task.sleep(for: deadline) }
            await group.next()
            run.stop()
            group.cancelAll()
        }
        releaseFlushWaiters()
    }

    /// Stops the pipeline at once, dropping what it holds; whoever waits for a flush is let go.
    mutating func stop() {
        feed.finish()
        run.stop()
        releaseFlushWaiters()
    }

    private mutating func releaseFlushWaiters() {
        for waiter in flushWaiters.values { waiter.resume() }
        flushWaiters.removeAll()
    }
}
