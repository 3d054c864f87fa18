import Testing

/// SIGTERM (a graceful shutdown of the service group) closes every client's connection.
@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test func shutdownClosesSpeakersAndListeners() async throws {
        let (speaker, listener) = try await TestServer.run { server in
            let (speaker, sessionId, _) = try await server.speaker()
            let listener = try await server.listener(sessionId).client
            return (speaker, listener)
        }
        // The server sent a close frame to each: they did not just lose the socket.
        #expect(try await speaker.closeCode(timeout: .seconds(10)) != nil)
        #expect(try await listener.closeCode(timeout: .seconds(10)) != nil)
    }
}
