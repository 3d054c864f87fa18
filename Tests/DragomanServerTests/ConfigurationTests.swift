import Foundation
import Testing

@testable import DragomanServer

/// `ServerConfiguration.keys`, the reader's precedence, and `docs/configuration.md`.
@Suite("Configuration")
struct ConfigurationTests {
    /// The repository's root, found from this file.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everySettingIsDocumented() throws {
        let page = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let rows = page.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for key in ServerConfiguration.keys {
            let row = rows.first { $0.hasPrefix("| `\(key.name)` |") }
            #expect(row != nil, "docs/configuration.md has no row for \(key.name)")
            guard let row else { continue }
            #expect(row.contains("`\(key.environmentName)`"), "\(key.name): environment variable")
            #expect(row.contains("`\(key.flagName)`"), "\(key.name): option")
            let defaultText = key.defaultText.isEmpty ? "(empty)" : "`\(key.defaultText)`"
            #expect(row.contains(" \(defaultText) "), "\(key.name): default \(defaultText)")
        }
        // And nothing documented that does not exist.
        let names = Set(ServerConfiguration.keys.map(\.name))
        for row in rows {
            let name = row.dropFirst(3).prefix { $0 != "`" }
            #expect(names.contains(String(name)), "docs/configuration.md documents an unknown setting \(name)")
        }
    }

    @Test func namesInEachSource() throws {
        let key = try #require(ServerConfiguration.keys.first { $0.name == "speakerGracePeriod" })
        #expect(key.environmentName == "DRAGOMAN_SPEAKER_GRACE_PERIOD")
        #expect(key.flagName == "--set speakerGracePeriod=VALUE")
        let url = try #require(ServerConfiguration.keys.first { $0.name == "publicURL" })
        #expect(url.environmentName == "DRAGOMAN_PUBLIC_URL")
        let directory = try #require(ServerConfiguration.keys.first { $0.name == "dataDirectory" })
        #expect(directory.flagName == "--data-dir")
        #expect(directory.environmentName == "DRAGOMAN_DATA_DIRECTORY")
        #expect(Set(ServerConfiguration.keys.map(\.name)).count == ServerConfiguration.keys.count)
    }

    @Test func defaultsAreTheProtocols() throws {
        let settings = try ConfigurationReader(environment: [:]).read()
        #expect(settings.statusInterval == 30)
        #expect(settings.statusChangeThreshold == 0.10)
        #expect(settings.statusAnswerBudget == 0.5)
        #expect(settings.maxAudioChunkBytes == 32 * 1024)
        #expect(settings.maxControlMessageBytes == 4 * 1024)
        #expect(settings.maxMessageBytes == 128 * 1024)
        #expect(settings.audioChunksPerSecond == 50)
        #expect(settings.controlMessagesPerSecond == 10)
        #expect(settings.statusQueriesPerSecond == 2)
        #expect(settings.maxListenersPerSession == 500)
    }

    @Test func flagsThenEnvironmentThenFileThenDefaults() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"port": 9001, "statusInterval": 5, "maxListenersPerSession": "42", "publicURL": "http://file"}"#.utf8).write(to: file)
        let settings = try ConfigurationReader(
            flags: ["port": "9003"],
            environment: ["DRAGOMAN_PORT": "9002", "DRAGOMAN_STATUS_INTERVAL": "7", "DRAGOMAN_PUBLIC_URL": "http://env", "UNRELATED": "x"],
            configFile: file.path
        ).read()
        #expect(settings.port == 9003)
        #expect(settings.statusInterval == 7)
        #expect(settings.maxListenersPerSession == 42)
        #expect(settings.publicURL == "http://env")
        #expect(settings.host == "127.0.0.1")
    }

    @Test func mistakesAreReported() throws {
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(flags: ["noSuchSetting": "1"], environment: [:]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(flags: ["port": "eighty"], environment: [:]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(flags: ["statusInterval": "-1"], environment: [:]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(flags: ["maxMessageBytes": "10"], environment: [:]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(flags: ["logLevel": "loud"], environment: [:]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: ["DRAGOMAN_PORT": "x"]).read() }
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: [:], configFile: "/nonexistent/dragoman.json").read() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"speakerGracePeriod": 1, "typo": 2}"#.utf8).write(to: file)
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: [:], configFile: file.path).read() }
        try Data("[1, 2]".utf8).write(to: file)
        #expect(throws: ConfigurationError.self) { try ConfigurationReader(environment: [:], configFile: file.path).read() }
    }
}
