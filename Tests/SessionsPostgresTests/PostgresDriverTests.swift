#if Postgres
import Foundation
import PostgresNIO
import Sessions
import SessionsConformance
@testable import SessionsPostgres
import SessionsPostgresTestSupport
import Testing

/// What the PostgreSQL driver promises beyond the shared suite, against a real server.
@Suite(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
struct PostgresDriverTests {
    let metadata = SessionMetadata(expiresAt: Date().addingTimeInterval(600), createdAt: Date(), userKey: "user-7")

    @Test func theTableHoldsTheHandleNeverTheID() async throws {
        let table = PostgresTestDatabase.uniqueTable()
        let id = SessionIdentifier.random()
        try await PostgresTestDatabase.withDriver(table: table) { driver in
            try await driver.write(id, payload: Array("hello".utf8), metadata: metadata)
            let rows = try await PostgresTestDatabase.execute("SELECT handle, user_key FROM \"\(table)\"")
            #expect(rows.count == 1)
            let (handle, userKey) = try #require(rows.first).decode((ByteBuffer, String?).self)
            #expect(Array(buffer: handle) == SessionHandle(id).bytes)
            #expect(userKey == "user-7")
            let dump = try await PostgresTestDatabase.execute("SELECT encode(handle, 'escape') || encode(payload, 'escape') FROM \"\(table)\"")
            let text = try #require(dump.first).decode(String.self)
            #expect(!text.contains(id.rawValue), "the raw ID is stored")
        }
    }

    @Test func concurrentFirstWritesOfOneIDWriteOnceAndRaiseNoDuplicateKeyError() async throws {
        try await PostgresTestDatabase.withDriver { driver in
            let id = SessionIdentifier.random()
            let outcomes = try await withThrowingTaskGroup(of: ConditionalWrite.self) { group in
                for index in 0..<40 {
                    group.addTask { try await driver.write(id, payload: [UInt8(index)], metadata: metadata, ifVersion: nil) }
                }
                return try await group.reduce(into: [ConditionalWrite]()) { $0.append($1) }
            }
            let written = outcomes.filter { if case .written = $0 { true } else { false } }
            #expect(written.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .conflict }.count == 39)
        }
    }

    @Test func gcDeletesEveryExpiredRowInBatchesAndKeepsTheLiveOnes() async throws {
        let time = ManualClock()
        let table = PostgresTestDatabase.uniqueTable()
        try await PostgresTestDatabase.withDriver(table: table, clock: time.clock) { driver in
            // 2.5 batches of rows whose deadline passed an hour before the driver's clock.
            try await PostgresTestDatabase.execute("""
                INSERT INTO "\(table)" SELECT sha256(n::text::bytea), '\\x00', 1, to_timestamp(1799996400),
                    to_timestamp(1799996400), to_timestamp(1799990000), NULL FROM generate_series(1, 2500) AS n
                """)
            let live = SessionIdentifier.random()
            try await driver.write(live, payload: [1], metadata: SessionMetadata(expiresAt: time.now.addingTimeInterval(60), createdAt: time.now))
            #expect(try await driver.gc() == 2500)
            #expect(try await driver.read(live) != nil)
            #expect(try await driver.gc() == 0)
            time.advance(by: .seconds(61))
            #expect(try await driver.gc() == 1)
        }
    }

    @Test func aSessionLockWhoseConnectionDiesFreesItself() async throws {
        try await PostgresTestDatabase.withDriver { driver in
            let id = SessionIdentifier.random()
            let held = try await driver.lock(id, lease: .seconds(60), wait: .seconds(1))
            await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(200))) {
                _ = try await driver.lock(id, lease: .seconds(60), wait: .milliseconds(200))
            }
            let key = PostgresSessionDriver.lockKey(id)
            let killed = try await PostgresTestDatabase.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
                    AND classid = \(UInt32(truncatingIfNeeded: key >> 32)) AND objid = \(UInt32(truncatingIfNeeded: key)) AND objsubid = 1
                """)
            #expect(killed.count == 1, "the lock's backend was not found")
            let next = try await driver.lock(id, lease: .seconds(5), wait: .seconds(5))
            await next.release()
            await held.release()
        }
    }

    @Test func aReleasedLockIsTakenByTheNextWaiterAtOnce() async throws {
        try await PostgresTestDatabase.withDriver { driver in
            let id = SessionIdentifier.random()
            let first = try await driver.lock(id, lease: .seconds(60), wait: .seconds(1))
            async let second = driver.lock(id, lease: .seconds(60), wait: .seconds(5))
            try await Task.sleep(for: .milliseconds(50))
            await first.release()
            await first.release()
            try await second.release()
        }
    }

    @Test func aWrongPasswordDatabaseOrPortFailsTheBootSayingWhich() async throws {
        let url = try #require(URLComponents(string: try PostgresTestDatabase.requireURL()))
        func attempt(_ change: (inout URLComponents) -> Void) async throws -> String {
            var wrong = url
            change(&wrong)
            let driver = try PostgresSessionDriver(url: try #require(wrong.string), connectTimeout: .seconds(2), statementTimeout: .seconds(2))
            let error = await #expect(throws: (any Error).self) { try await driver.open() }
            try await driver.close()
            return String(describing: try #require(error))
        }
        let password = try await attempt { $0.password = "not-the-password" }
        #expect(password.contains("password authentication failed") && password.contains("28P01"), "\(password)")
        #expect(!password.contains("not-the-password"))
        let database = try await attempt { $0.path = "/no_such_database" }
        #expect(database.contains("\"no_such_database\" does not exist") && database.contains("3D000"), "\(database)")
        let port = try await attempt { $0.port = 1 }
        #expect(port.contains("cannot reach PostgreSQL at sessions@127.0.0.1:1/") && port.lowercased().contains("refused"), "\(port)")
        let host = try await attempt { $0.host = "no-such-host.invalid" }
        #expect(host.contains("no-such-host.invalid"), "\(host)")
    }

    @Test func theManagerBuildsTheDatabaseDriverFromItsSettingsAndNamesItInBootErrors() async throws {
        var config = SessionConfig()
        config.driver = "database"
        config[PostgresSessionDriver.urlSetting] = try PostgresTestDatabase.requireURL()
        let table = PostgresTestDatabase.uniqueTable()
        config[PostgresSessionDriver.tableSetting] = table
        defer { Task { await PostgresTestDatabase.drop(table) } }
        let manager = try SessionManager(config: config).extendPostgres()
        try await manager.open()
        let session = try await manager.buildSession()
        session.put("user", "ada")
        try await session.save()
        let loaded = try #require(try await manager.load(id: session.id.rawValue))
        #expect(loaded.get("user") == "ada")
        await manager.close()

        var wrong = URLComponents(string: config[PostgresSessionDriver.urlSetting])
        wrong?.password = "hunter2"
        config[PostgresSessionDriver.urlSetting] = try #require(wrong?.string)
        let failing = try SessionManager(config: config).extendPostgres()
        let error = await #expect(throws: (any Error).self) { try await failing.open() }
        let text = String(describing: try #require(error))
        #expect(text.contains("database") && text.contains("28P01") && !text.contains("hunter2"), "\(text)")
    }

    @Test func withoutMigrationAMissingTableIsAClearErrorAndMigrateIsIdempotent() async throws {
        let table = PostgresTestDatabase.uniqueTable()
        let driver = try PostgresSessionDriver(url: try PostgresTestDatabase.requireURL(), table: table, migratesAtOpen: false)
        try await driver.open()
        let error = await #expect(throws: PostgresSessionDriverError.self) { _ = try await driver.read(.random()) }
        #expect(error.map { "\($0)" }?.contains("42P01") == true, "\(String(describing: error))")
        try await driver.migrate()
        try await driver.migrate()
        #expect(try await driver.read(.random()) == nil)
        try await driver.close()
        await PostgresTestDatabase.drop(table)
    }

    /// Instances booting at once each create the missing table: two concurrent `CREATE TABLE IF
    /// NOT EXISTS` can fail on the catalog (SQLSTATE 23505, 42P07 or 42710), which must not stop a boot.
    @Test func instancesBootingAtOnceAllCreateTheTableWithoutError() async throws {
        let url = try PostgresTestDatabase.requireURL()
        for _ in 0..<3 {
            let table = PostgresTestDatabase.uniqueTable()
            let drivers = try (0..<4).map { _ in try PostgresSessionDriver(url: url, table: table, poolSize: 1) }
            let failures = await withTaskGroup(of: String?.self) { group in
                for driver in drivers {
                    group.addTask { do { try await driver.open(); return nil } catch { return "\(error)" } }
                }
                return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            for driver in drivers { try await driver.close() }
            await PostgresTestDatabase.drop(table)
            #expect(failures.isEmpty, "\(failures)")
        }
    }

    /// Treating catalog conflicts as a lost race is no blanket pass: a type of the app's own
    /// holding the table's name still fails the boot, saying so.
    @Test func aTypeHoldingTheTablesNameFailsTheMigration() async throws {
        let url = try PostgresTestDatabase.requireURL()
        let table = PostgresTestDatabase.uniqueTable()
        _ = try await PostgresTestDatabase.execute("CREATE TYPE \(table) AS (x int)")
        let driver = try PostgresSessionDriver(url: url, table: table, poolSize: 1)
        let error = await #expect(throws: (any Error).self) { try await driver.open() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("is a composite type"), "\(String(describing: error))")
        try await driver.close()
        _ = try await PostgresTestDatabase.execute("DROP TYPE \(table)")
    }
}
#endif
