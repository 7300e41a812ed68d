#if Postgres
import Foundation
import Sessions
@testable import SessionsPostgresAdmin
import SessionsPostgres
import SessionsPostgresTestSupport
import Testing

/// `sessions-postgres`: schema, migrate, gc and count, run in-process against a real database.
@Suite(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
struct PostgresAdminCommandTests {
    /// What `sessions-postgres arguments…` prints.
    func run(_ arguments: [String]) async throws -> String {
        let command = try #require(try SessionsPostgresCommand.parseAsRoot(arguments) as? any TextCommand)
        return try await command.output()
    }

    @Test func schemaMigrateCountAndGCDoWhatTheySay() async throws {
        let url = try PostgresTestDatabase.requireURL()
        let table = PostgresTestDatabase.uniqueTable("admin")
        defer { Task { await PostgresTestDatabase.drop(table) } }
        let options = ["--url", url, "--table", table, "--config", ""]
        #expect(try await run(["schema", "--table", "sessions", "--config", ""]) == PostgresSessionTable("sessions")?.schema)
        #expect(try await run(["migrate"] + options) == "table \"\(table)\" is ready\n")
        #expect(try await run(["migrate"] + options) == "table \"\(table)\" is ready\n", "migrate is not idempotent")

        let driver = try PostgresSessionDriver(url: url, table: table, migratesAtOpen: false)
        try await driver.open()
        let now = Date()
        try await driver.write(.random(), payload: [1], metadata: SessionMetadata(expiresAt: now.addingTimeInterval(600), createdAt: now))
        try await driver.write(.random(), payload: [2], metadata: SessionMetadata(expiresAt: now.addingTimeInterval(600), createdAt: now))
        try await driver.write(.random(), payload: [3], metadata: SessionMetadata(expiresAt: now.addingTimeInterval(-1), createdAt: now))
        try await driver.close()
        #expect(try await run(["count"] + options) == "2 live session(s)\n")
        #expect(try await run(["gc"] + options) == "removed 1 expired session(s)\n")
        #expect(try await run(["gc"] + options) == "removed 0 expired session(s)\n")
        await PostgresTestDatabase.drop(table)
    }

    @Test func withoutADatabaseItSaysHowToGiveOne() async throws {
        let error = await #expect(throws: (any Error).self) { _ = try await run(["count", "--url", "", "--config", ""]) }
        #expect(String(describing: try #require(error)).contains("SESSION_DATABASE_URL"))
    }
}
#endif
