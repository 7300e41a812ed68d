import Fluent
import FluentPostgresDriver
import Vapor

/// Vapor's sessions on Fluent's database sessions: PostgreSQL at `DATABASE_URL`,
/// `FLUENT_POOL_PER_LOOP` connections per event loop (default 2), the table made by Fluent's
/// migration.
func useFluentSessions(_ app: Application, environment: [String: String]) async throws {
    let url = environment["DATABASE_URL"] ?? ""
    let perLoop = Int(environment["FLUENT_POOL_PER_LOOP"] ?? "") ?? 2
    app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: perLoop), as: .psql)
    app.migrations.add(SessionRecord.migration)
    try await app.autoMigrate()
    app.sessions.use(.fluent)
}
