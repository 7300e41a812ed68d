#if Postgres
import Sessions
import SessionsConformance
import SessionsPostgres
import Testing

/// Every tier of the shared driver suite against a real PostgreSQL, each check on a table of its
/// own, directly and through a wrapper.
@Suite(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
struct PostgresConformanceTests {
    static let everyCheck = SessionDriverConformance.Tier.allCases.flatMap { SessionDriverConformance.Check.all(in: $0) }

    @Test(arguments: everyCheck, [false, true])
    func postgresDriver(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        let url = try PostgresTestDatabase.requireURL()
        let table = PostgresTestDatabase.uniqueTable("conformance")
        defer { Task { await PostgresTestDatabase.drop(table) } }
        try await SessionDriverConformance { context in
            try PostgresSessionDriver(url: url, table: table, poolSize: 4, clock: context.clock)
        }.run(check, throughWrapper: throughWrapper)
        await PostgresTestDatabase.drop(table)
    }
}
#endif
