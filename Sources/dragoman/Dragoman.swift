import ArgumentParser

@main
struct Dragoman: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live speech translation for events: one speaker, many listeners, each in their own language.",
        subcommands: [Serve.self, Keys.self, Speak.self, Listen.self, Bench.self]
    )
}
