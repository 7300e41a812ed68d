#if Postgres
import Foundation
import Sessions
@testable import SessionsPostgres
import Testing

/// The driver's settings, URL and schema, without a server.
@Suite struct PostgresSettingsTests {
    @Test func theCommittedSchemaFileIsTheSchemaTheDriverCreates() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/SessionsPostgres/sessions.sql")
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(committed == PostgresSessionTable("sessions")?.schema, "regenerate sessions.sql with `sessions-postgres schema`")
    }

    @Test(arguments: ["", "1sessions", "sessions; DROP TABLE users", "sessions\"", "séances", String(repeating: "s", count: 41), "public.sessions"])
    func aTableNameThatIsNotAPlainIdentifierIsRefused(name: String) {
        #expect(PostgresSessionTable(name) == nil)
        #expect(throws: PostgresSessionDriverError.invalidTable(name)) { try PostgresSessionDriver(url: "postgres://a@b/c", table: name) }
    }

    @Test(arguments: [
        ("mysql://ada:pw@db/app", "not a postgres:// URL"),
        ("postgres://db/app", "names no user"),
        ("postgres://ada:pw@db:70000/app", "out of range"),
        ("postgres://ada:pw@db/app?sslmode=always", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://ada:pw@db/app?application_name=x", "parameter application_name is not supported"),
    ])
    func aURLThatCannotBeUsedSaysWhyWithoutItsPassword(url: String, reason: String) {
        let error = #expect(throws: PostgresSessionDriverError.self) { try PostgresSessionDriver(url: url) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(reason), "\(text)")
        #expect(!text.contains(":pw"))
    }

    @Test func aURLReadsItsPartsAndDefaults() throws {
        let url = try PostgresConnectionURL(parsing: "postgresql://ada:p%40ss@db.example/app?sslmode=verify-full")
        #expect(url.host == "db.example" && url.port == 5432 && url.username == "ada" && url.password == "p@ss")
        #expect(url.database == "app" && url.sslMode == .verifyFull)
        #expect(url.description == "ada@db.example:5432/app")
        let bare = try PostgresConnectionURL(parsing: "postgres://ada@db")
        #expect(bare.database == "ada" && bare.sslMode == .prefer && bare.password == nil)
    }

    @Test func aMissingURLFailsTheBootNamingTheSettingAndItsVariables() async throws {
        let config = try SessionConfig.load(file: "", environment: ["SESSION_DRIVER": "database"])
        let manager = try SessionManager(config: config).extendPostgres()
        let error = await #expect(throws: (any Error).self) { try await manager.open() }
        let text = String(describing: try #require(error))
        #expect(text.contains("database_url") && text.contains("SESSION_DATABASE_URL"), "\(text)")
    }

    @Test func theURLSettingIsASecretWithTheDatabaseURLFallback() throws {
        #expect(PostgresSessionDriver.urlSetting.isSecret)
        #expect(PostgresSessionDriver.urlSetting.fallbackVariable == "DATABASE_URL")
        var config = SessionConfig()
        config[PostgresSessionDriver.urlSetting] = "postgres://ada:hunter2@db/app"
        #expect(!String(describing: config).contains("hunter2"))
    }
}
#endif
