#if Postgres
import Sessions
import SessionsConformance
import SessionsPostgres
import SessionsPostgresTestSupport
import Testing

/// Every tier of the shared driver suite against a real PostgreSQL, each check on a table of its
/// own, directly and through a wrapper. The suite checks what calls do, not how fast: its
/// timeouts leave room for the 100 concurrent writes of one check on a 2-core machine running
/// every other integration test beside it (the fault tests hold the driver to its timeouts).
@Suite(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
struct PostgresConformanceTests {
    static let everyCheck = SessionDriverConformance.Tier.allCases.flatMap { SessionDriverConformance.Check.all(in: $0) }

    @Test(arguments: everyCheck, [false, true])
    func postgresDriver(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        let url = try PostgresTestDatabase.requireURL()
        let table = PostgresTestDatabase.uniqueTable("conformance")
        defer { Task { await PostgresTestDatabase.drop(table) } }
        try await SessionDriverConformance { context in
            try PostgresSessionDriver(
                url: url, table: table, poolSize: 4,
                connectTimeout: .seconds(15), statementTimeout: .seconds(15), clock: context.clock)
        }.run(check, throughWrapper: throughWrapper)
        await PostgresTestDatabase.drop(table)
    }
}
#endif
