#if Postgres
import Foundation
import Logging
import PostgresNIO
import Sessions
import SessionsPostgres
import Testing

/// The database the tests run against: `SESSION_DATABASE_URL` or `DATABASE_URL` (CI starts a
/// throwaway cluster with `scripts/postgres-cluster` and exports it). Without one the tests skip
/// with that reason, unless `CI` is set: then they fail, so CI cannot pass without them.
package enum PostgresTestDatabase {
    package static let environment = ProcessInfo.processInfo.environment
    package static let url: String? = environment["SESSION_DATABASE_URL"] ?? environment["DATABASE_URL"]
    package static let isCI = environment["CI"].map { !$0.isEmpty && $0 != "0" } ?? false
    /// Whether the database tests run: with a URL, or on CI (where a missing URL fails them).
    package static let runs = url != nil || isCI
    package static let skipReason: Comment = "no SESSION_DATABASE_URL or DATABASE_URL: start one with `scripts/postgres-cluster start /tmp/sessions-pg` and export it"

    /// The URL, or a recorded failure on CI.
    package static func requireURL() throws -> String {
        guard let url else {
            Issue.record("CI is set but neither SESSION_DATABASE_URL nor DATABASE_URL is: the PostgreSQL tests cannot run")
            throw CancellationError()
        }
        return url
    }

    /// A table name no other test uses.
    package static func uniqueTable(_ prefix: String = "test") -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Runs `sql` on a connection of its own (to inspect or drop a table behind a driver).
    @discardableResult
    package static func execute(_ sql: String) async throws -> [PostgresRow] {
        let url = try requireURL()
        let components = try #require(URLComponents(string: url))
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "tests"))
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "tests")).collect()
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Drops `table` (and its indexes).
    package static func drop(_ table: String) async {
        _ = try? await execute("DROP TABLE IF EXISTS \"\(table)\"")
    }

    /// A driver on a table of its own, opened; dropped after `body`.
    package static func withDriver<Value>(
        table: String = uniqueTable(),
        clock: SessionClock = .system,
        _ body: (PostgresSessionDriver) async throws -> Value
    ) async throws -> Value {
        let driver = try PostgresSessionDriver(url: try requireURL(), table: table, poolSize: 8, clock: clock)
        try await driver.open()
        do {
            let value = try await body(driver)
            try await driver.close()
            await drop(table)
            return value
        } catch {
            try? await driver.close()
            await drop(table)
            throw error
        }
    }
}
#endif
