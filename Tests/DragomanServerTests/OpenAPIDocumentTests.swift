import DragomanCore
import DragomanStore
import Foundation
import Logging
import Testing

@testable import DragomanServer

/// `Resources/openapi.json` stays true: every operation it describes answers on a running
/// server, with the documented status and the documented JSON, and every route the server has is
/// in it.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The shipped document.
    static func document() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: OpenAPIController.document)
    }

    /// `METHOD /path/{}` for every operation of the document, parameter names left out.
    static func documentedOperations(_ document: JSONValue) -> [(method: String, path: String)] {
        guard case .object(let paths) = document["paths"] else { return [] }
        return paths.flatMap { path, item in
            item.keys.filter { ["get", "put", "post", "delete", "patch", "head", "options"].contains($0) }.map { ($0.uppercased(), path) }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// `/v1/sessions/{id}` → `/v1/sessions/{}`.
    /// A path with its parameters unnamed; a router's catch-all (`**`, the web pages' files in
    /// folders) is the one parameter the document gives it.
    static func shape(_ path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]*\}"#, with: "{}", options: .regularExpression).replacingOccurrences(of: "**", with: "{}")
    }

    @Test func isServedAndIsOpenAPI31() async throws {
        try await TestServer.run { server in
            let response = try await server.http(.GET, "/v1/openapi.json")
            #expect(response.code == 200)
            #expect(response.headers["Content-Type"].first?.hasPrefix("application/json") == true)
            let served = try #require(response.json)
            #expect(served == (try Self.document()))
            #expect(served["openapi"]?.stringValue?.hasPrefix("3.1") == true)
            #expect(served["components"]?["securitySchemes"]?["bearerAuth"]?["scheme"]?.stringValue == "bearer")
        }
    }

    @Test func everyRouteOfTheServerIsDocumented() async throws {
        let document = try Self.document()
        let documented = Set(Self.documentedOperations(document).map { "\($0.method) \(Self.shape($0.path))" })

        let directory = try TestServer.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = TestServer.testSettings(dataDirectory: directory)
        let store = try SQLiteStore(path: settings.databasePath)
        let logger = Logger(label: "openapi-test")
        let writer = StoreWriter(store: store, logger: logger)
        let events = EventBus(store: store, logger: logger, writer: writer)
        let engines = FakeEngines.engines
        let registry = SessionRegistry(settings: settings, store: store, writer: writer, events: events, engines: engines, logger: logger)
        let gateway = WebSocketGateway(
            registry: registry, catalog: engines.catalog, authenticator: Authenticator(store: store), settings: settings, logger: logger)
        let router = buildRouter(settings: settings, store: store, catalog: engines.catalog, registry: registry, events: events, gateway: gateway)
        let routes = Set(router.routes.map { "\($0.method.rawValue) \(Self.shape($0.path.description))" })

        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.json: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented operations the server lacks: \(documented.subtracting(routes).sorted())")
    }

    @Test func everyDocumentedOperationAnswersAsDocumented() async throws {
        let document = try Self.document()
        let check = SchemaCheck(document: document)
        try await TestServer.run { server in
            let sessionId = try await server.createSession()
            let asset = try #require(WebController.assets.keys.sorted().first { $0.hasPrefix("assets/") })
            let interpreter = try await InterpreterTests.invite(server, sessionId).id
            // Ending a session comes last, so the other operations find it alive.
            let operations = Self.documentedOperations(document).sorted { ($0.method == "DELETE" ? 1 : 0) < ($1.method == "DELETE" ? 1 : 0) }
            for (method, template) in operations {
                let operation = try #require(document["paths"]?[template]?[method.lowercased()])
                var path =
                    template
                    .replacingOccurrences(of: "{file}", with: String(asset.dropFirst("assets/".count)))
                    .replacingOccurrences(of: "{interpreterId}", with: interpreter)
                    .replacingOccurrences(of: #"\{[^}]*\}"#, with: sessionId, options: .regularExpression)
                if template == "/ws" { path += "?action=joinSession&sessionId=\(sessionId)&targetLanguage=es" }
                let key = template == "/v1/events" ? server.keys.operator : server.keys.speaker
                let needsKey = operation["security"] != nil
                let headers = needsKey ? [("Authorization", "Bearer \(key)")] : []
                let label = "\(method) \(path)"

                let status: Int
                var body: JSONValue?
                if template == "/v1/events" {
                    // The stream never ends: its head is enough.
                    status = try await HTTPTestClient.withResponse(port: server.port, method: .GET, path: path, headers: headers) { response in
                        Int(try await response.head().status.code)
                    }
                } else {
                    let json: JSONValue? = method == "POST" ? ["sourceLanguage": "en"] : nil
                    let response = try await server.http(.init(rawValue: method), path, headers: headers, json: json)
                    status = response.code
                    if response.headers["Content-Type"].first?.hasPrefix("application/json") == true { body = response.json }
                }
                #expect(status != 404 && status != 405, "\(label) answered \(status)")
                let responses = operation["responses"]
                #expect(responses?[String(status)] != nil, "\(label) answered \(status), which is not documented")
                if let body, (200..<300).contains(status), let schema = responses?[String(status)]?["content"]?["application/json"]?["schema"] {
                    let problems = check.problems(body, schema)
                    #expect(problems.isEmpty, "\(label): \(problems)")
                }
            }
        }
    }

    @Test func documentedErrorsHaveTheErrorShape() async throws {
        let document = try Self.document()
        let check = SchemaCheck(document: document)
        try await TestServer.run { server in
            let refusals: [(HTTPResult, String)] = [
                (try await server.http(.GET, "/v1/sessions/no-such-100"), "/v1/sessions/{id}"),
                (try await server.http(.POST, "/v1/sessions", json: ["sourceLanguage": "en"]), "/v1/sessions"),
                (try await server.http(.GET, "/v1/events", key: server.keys.speaker), "/v1/events"),
                (try await server.http(.GET, "/ws?action=joinSession&sessionId=no-such-100&targetLanguage=es"), "/ws"),
            ]
            for (response, template) in refusals {
                let method = template == "/v1/sessions" ? "post" : "get"
                let schema = try #require(
                    document["paths"]?[template]?[method]?["responses"]?[String(response.code)]?["content"]?["application/json"]?["schema"])
                let body = try #require(response.json, "\(template): \(response)")
                #expect(check.problems(body, schema).isEmpty, "\(template) \(response.code): \(response.body)")
            }
        }
    }

    @Test func theSchemaCheckerFindsWhatIsMissing() throws {
        let check = SchemaCheck(document: try Self.document())
        let schema: JSONValue = ["$ref": "#/components/schemas/SessionList"]
        #expect(check.problems(["sessions": []], schema).isEmpty)
        #expect(check.problems([:], schema) == ["$.sessions is missing"])
        #expect(check.problems(["sessions": [["sessionId": "a-b-100"]]], schema).count == 8)
    }
}
