import ArgumentParser
import DragomanBench

/// The benchmarks live in `DragomanBench`; the executable only offers them as subcommands.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks; they print Markdown tables for docs/BENCHMARKS.md.",
        subcommands: [BenchPipeline.self, BenchSimultaneous.self, BenchControl.self, BenchFanout.self, BenchCrossNode.self]
    )
}
