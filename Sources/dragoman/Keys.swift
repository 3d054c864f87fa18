import ArgumentParser
import DragomanServer
import DragomanStore
import Foundation

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke speaker keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it, alone, on standard output.")

        @Option(help: "A name to recognize the key by.")
        var name: String

        @Option(help: "speaker, or operator (a speaker that may also read /v1/events).")
        var role: KeyRole = .speaker

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let key = try await StoreFactory.withStore(try options.read()) { try await $0.createKey(name: name, role: role) }
            print(key.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never their secrets).")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let keys = try await StoreFactory.withStore(try options.read()) { try await $0.keys() }
            guard !keys.isEmpty else { return print("No keys yet: dragoman keys create --name NAME") }
            print("ID".padding(toLength: 18, withPad: " ", startingAt: 0) + "ROLE      CREATED               STATE     NAME")
            for key in keys {
                let created = key.createdAt.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
                print(
                    key.id.padding(toLength: 18, withPad: " ", startingAt: 0) + key.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + created.padding(toLength: 22, withPad: " ", startingAt: 0) + (key.isRevoked ? "revoked   " : "active    ") + key.name)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or name; its sessions can no longer be opened with it.")

        @Argument(help: "The key's id or name.")
        var key: String

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            guard try await StoreFactory.withStore(try options.read(), { [key] in try await $0.revokeKey(idOrName: key) }) else {
                throw ValidationError("No active key has the id or name \"\(key)\".")
            }
            print("Revoked \(key).")
        }
    }
}

extension KeyRole: ExpressibleByArgument {}
