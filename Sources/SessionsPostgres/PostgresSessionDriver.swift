#if Postgres
import Foundation
import Logging
import PostgresNIO
import Sessions
import Synchronization

/// Sessions in PostgreSQL, shared by every instance of an app (Laravel's `database` driver).
///
/// The driver owns a ``PostgresClient`` and its pool: ``open()`` starts it, checks that the
/// database answers (a wrong host, password or database fails the boot, saying which) and,
/// unless told otherwise, creates the table; ``close()`` stops it. Rows are keyed by the
/// session handle (SHA-256 of the ID), never the ID. Every value is a bound parameter, and every
/// deadline comparison binds the driver's clock, never the database's `now()`.
///
/// ```swift
/// let sessions = try SessionManager(config: .load()).extendPostgres()  // driver "database"
/// ```
///
/// A database that is down or does not answer within the connect and statement timeouts makes
/// every call throw ``Sessions/SessionError/unavailable(reason:)`` (503 with `Retry-After`); the
/// pool reconnects by itself once it is back.
public final class PostgresSessionDriver: SessionDriver {
    /// The table the sessions live in.
    public let table: PostgresSessionTable
    /// Whether ``open()`` creates the table and its indexes when they are missing.
    public let migratesAtOpen: Bool
    /// The longest one call may take: a connect plus a statement.
    public let callTimeout: Duration

    let url: PostgresConnectionURL
    let client: PostgresClient
    let clock: SessionClock
    let logger: Logger
    let connectTimeout: Duration
    let statementTimeout: Duration
    private let running = Mutex<Task<Void, Never>?>(nil)

    public var capabilities: SessionDriverCapabilities { [.conditionalWrites, .sessionLocks] }

    /// A driver for the database at `url`.
    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database?sslmode=…` (`sslmode` one of
    ///     `disable`, `prefer` (the default), `require`, `verify-ca`, `verify-full`).
    ///   - table: The table's name, a plain identifier.
    ///   - poolSize: The most connections the pool opens.
    ///   - connectTimeout: How long opening a connection may take.
    ///   - statementTimeout: How long one statement may run (the server's `statement_timeout`).
    ///   - migratesAtOpen: Whether ``open()`` creates the table when it is missing.
    ///   - clock: The clock deadlines are compared with.
    ///   - logger: Where the client logs its background work; by default errors only (the
    ///     pool's reconnect attempts during an outage are not one line each).
    /// - Throws: ``PostgresSessionDriverError`` for a URL or table name that cannot be used.
    public init(
        url: String,
        table: String = "sessions",
        poolSize: Int = 20,
        connectTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(5),
        migratesAtOpen: Bool = true,
        clock: SessionClock = .system,
        logger: Logger = PostgresSessionDriver.defaultLogger
    ) throws {
        guard let table = PostgresSessionTable(table) else { throw PostgresSessionDriverError.invalidTable(table) }
        self.url = try PostgresConnectionURL(parsing: url)
        self.table = table
        self.migratesAtOpen = migratesAtOpen
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.callTimeout = connectTimeout + statementTimeout
        self.clock = clock
        self.logger = logger
        var configuration = self.url.clientConfiguration
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = Self.startupParameters(statementTimeout: statementTimeout)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// The client's logger unless one is given: `sessions.postgres`, errors only.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "sessions.postgres")
        logger.logLevel = .error
        return logger
    }

    /// Server settings every connection starts with: the statement timeout, and the time zone
    /// (timestamps are read and written as instants, so it only shows in `psql`).
    static func startupParameters(statementTimeout: Duration) -> [(String, String)] {
        [("statement_timeout", "\(max(1, Int(statementTimeout.milliseconds)))"), ("TimeZone", "UTC")]
    }

    /// Starts the client, checks the database with a connection of its own (so a wrong host,
    /// password or database fails now, saying which) and creates the table unless told not to.
    public func open() async throws {
        running.withLock { task in
            if task == nil { task = Task { [client] in await client.run() } }
        }
        try await checkConnection()
        if migratesAtOpen { try await migrate() }
    }

    /// Creates the table and its indexes when missing (idempotent): what `open()` does unless
    /// `migratesAtOpen` is off, and what the admin command's `migrate` runs. Instances booting
    /// at once may race: PostgreSQL's `IF NOT EXISTS` lets the loser fail on its catalog
    /// (SQLSTATE 23505, 42P07, or 42710 for the table's row type), and the statement is run
    /// once more: the object exists now, so `IF NOT EXISTS` passes, while an object of another
    /// kind holding the name fails again and is reported.
    public func migrate() async throws {
        for statement in table.statements {
            try await call("create the sessions table") { client in
                do {
                    try await client.query(PostgresQuery(unsafeSQL: statement))
                } catch let error as PSQLError where Self.lostACreateRace(error) {
                    try await client.query(PostgresQuery(unsafeSQL: statement))
                }
            }
        }
    }

    /// Whether `error` may be the catalog's answer to a `CREATE … IF NOT EXISTS` that another
    /// session committed at the same moment.
    static func lostACreateRace(_ error: PSQLError) -> Bool {
        ["23505", "42P07", "42710"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// Stops the client; calls after it fail.
    public func close() async throws {
        let task = running.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        let handle = Self.handle(id)
        let now = clock.now
        return try await call("read a session") { [table] client in
            let rows = try await client.query(
                """
                SELECT payload, version, expires_at, created_at, user_key FROM \(unescaped: table.quoted)
                WHERE handle = \(handle) AND expires_at >= \(now)
                """)
            for try await (payload, version, expiresAt, createdAt, userKey) in rows.decode((ByteBuffer, Int64, Date, Date, String?).self) {
                return StoredSession(
                    payload: Array(buffer: payload),
                    metadata: SessionMetadata(expiresAt: expiresAt, createdAt: createdAt, userKey: userKey),
                    version: UInt64(bitPattern: version))
            }
            return nil
        }
    }

    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        let query = upsert(Row(id: id, payload: payload, metadata: metadata, now: clock.now), onlyOverExpired: false)
        try await call("write a session") { client in try await client.query(query) }
    }

    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?) async throws -> ConditionalWrite {
        let row = Row(id: id, payload: payload, metadata: metadata, now: clock.now)
        guard let expected else { return try await create(row) }
        let expectedVersion = Int64(bitPattern: expected)
        // One round trip: the UPDATE, and whether a live row existed before it (the CTE's
        // snapshot), which tells a conflict from a missing session when nothing was written.
        return try await call("write a session") { [table] client in
            let rows = try await client.query(
                """
                WITH updated AS (
                    UPDATE \(unescaped: table.quoted) SET payload = \(row.payload), version = \(row.version),
                        last_activity = \(row.now), expires_at = \(row.expiresAt), created_at = \(row.createdAt), user_key = \(row.userKey)
                    WHERE handle = \(row.handle) AND version = \(expectedVersion) AND expires_at >= \(row.now)
                    RETURNING 1
                )
                SELECT EXISTS (SELECT 1 FROM updated),
                    EXISTS (SELECT 1 FROM \(unescaped: table.quoted) WHERE handle = \(row.handle) AND expires_at >= \(row.now))
                """)
            for try await (written, live) in rows.decode((Bool, Bool).self) {
                return written ? .written(version: row.storedVersion) : live ? .conflict : .missing
            }
            return .missing
        }
    }

    /// A first write: inserts, or takes over an expired row; a live row is a conflict. Never a
    /// duplicate-key error, however many first writes race.
    private func create(_ row: Row) async throws -> ConditionalWrite {
        let query = upsert(row, onlyOverExpired: true)
        return try await call("create a session") { client in
            for try await _ in try await client.query(query) { return .written(version: row.storedVersion) }
            return .conflict
        }
    }

    /// `INSERT … ON CONFLICT DO UPDATE` of `row`; with `onlyOverExpired` the update happens
    /// only over an expired row, and the statement returns a row when it wrote.
    private func upsert(_ row: Row, onlyOverExpired: Bool) -> PostgresQuery {
        var query: PostgresQuery = """
            INSERT INTO \(unescaped: table.quoted) AS existing (handle, payload, version, last_activity, expires_at, created_at, user_key)
            VALUES (\(row.handle), \(row.payload), \(row.version), \(row.now), \(row.expiresAt), \(row.createdAt), \(row.userKey))
            ON CONFLICT (handle) DO UPDATE SET payload = EXCLUDED.payload, version = EXCLUDED.version,
                last_activity = EXCLUDED.last_activity, expires_at = EXCLUDED.expires_at,
                created_at = EXCLUDED.created_at, user_key = EXCLUDED.user_key
            """
        if onlyOverExpired {
            query.binds.append(row.now)
            query.sql += " WHERE existing.expires_at < $\(query.binds.count) RETURNING 1"
        }
        return query
    }

    public func destroy(_ id: SessionIdentifier) async throws {
        let handle = Self.handle(id)
        try await call("destroy a session") { [table] client in
            try await client.query("DELETE FROM \(unescaped: table.quoted) WHERE handle = \(handle)")
        }
    }

    @discardableResult
    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        let handle = Self.handle(id)
        let now = clock.now
        return try await call("touch a session") { [table] client in
            let rows = try await client.query(
                """
                UPDATE \(unescaped: table.quoted) SET expires_at = \(metadata.expiresAt), last_activity = \(now)
                WHERE handle = \(handle) AND expires_at >= \(now) RETURNING 1
                """)
            for try await _ in rows { return true }
            return false
        }
    }

    /// Rows one gc statement deletes at most, so no statement holds row locks for long.
    static let gcBatchSize = 1000

    /// Deletes expired rows in batches of ``gcBatchSize`` through the deadline index, skipping
    /// rows another transaction holds; returns how many it deleted.
    public func gc() async throws -> Int {
        let now = clock.now
        var removed = 0
        while true {
            let batch = try await call("collect expired sessions") { [table] client in
                let rows = try await client.query(
                    """
                    WITH expired AS (
                        DELETE FROM \(unescaped: table.quoted) WHERE handle IN (
                            SELECT handle FROM \(unescaped: table.quoted) WHERE expires_at < \(now)
                            LIMIT \(Self.gcBatchSize) FOR UPDATE SKIP LOCKED)
                        RETURNING 1
                    )
                    SELECT count(*) FROM expired
                    """)
                for try await count in rows.decode(Int64.self) { return Int(count) }
                return 0
            }
            removed += batch
            if batch < Self.gcBatchSize { return removed }
        }
    }

    /// How many live sessions the table holds (the admin command's `count`).
    public func liveSessionCount() async throws -> Int {
        let now = clock.now
        return try await call("count sessions") { [table] client in
            let rows = try await client.query("SELECT count(*) FROM \(unescaped: table.quoted) WHERE expires_at >= \(now)")
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    /// The bytes rows are keyed by: the session handle, never the ID.
    static func handle(_ id: SessionIdentifier) -> ByteBuffer {
        ByteBuffer(bytes: SessionHandle(id).bytes)
    }

    /// One write's bound values.
    struct Row {
        let handle: ByteBuffer
        let payload: ByteBuffer
        let storedVersion: UInt64
        let now: Date
        let expiresAt: Date
        let createdAt: Date
        let userKey: String?
        var version: Int64 { Int64(bitPattern: storedVersion) }

        init(id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, now: Date) {
            self.handle = PostgresSessionDriver.handle(id)
            self.payload = ByteBuffer(bytes: payload)
            // Instances share the table, so versions are drawn at random, never counted.
            self.storedVersion = UInt64.random(in: 1...UInt64.max)
            self.now = now
            self.expiresAt = metadata.expiresAt
            self.createdAt = metadata.createdAt
            self.userKey = metadata.userKey
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
#endif
