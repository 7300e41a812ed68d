#if Hummingbird && Vapor
// In a file of its own: Vapor and Hummingbird both name an `Application`.
import HummingbirdTesting
import Logging
import Sessions
import SessionsVaporDemoApp
import Testing
import Vapor

/// Runs `body` with the Vapor demo served on 127.0.0.1 (a free port), booted the async way as
/// `app.execute()` boots it, and a keep-alive connection to it; then shuts it all down.
func withVaporDemo<Value>(
    config: SessionConfig,
    logger: Logger,
    configure: (SessionManager) -> Void,
    _ body: (SessionManager, TestClient, Int) async throws -> Value
) async throws -> Value {
    let app = try await Application.make(.testing)
    app.logger = logger
    do {
        let sessions = try VaporDemo.configure(app, config: config, configure: configure)
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let connection = TestClient(host: "localhost", port: port)
        connection.connect()
        let value: Value
        do {
            value = try await body(sessions, connection, port)
        } catch {
            try? await connection.shutdown()
            throw error
        }
        try await connection.shutdown()
        await app.server.shutdown()
        try await app.asyncShutdown()
        return value
    } catch {
        await app.server.shutdown()
        try? await app.asyncShutdown()
        throw error
    }
}
#endif
