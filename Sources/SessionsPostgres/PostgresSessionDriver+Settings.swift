#if Postgres
import Logging
import Sessions

/// The PostgreSQL driver's settings, declared once, and how a manager builds the driver.
extension PostgresSessionDriver {
    /// The database URL (`database_url`, `SESSION_DATABASE_URL`, else `DATABASE_URL`); a
    /// secret: its password never shows in messages.
    public static let urlSetting = SessionSetting<String>(
        "database_url", default: "",
        format: .text("a postgres://user:password@host:port/database URL, sslmode one of disable, prefer, require, verify-ca, verify-full",
            isValid: PostgresConnectionURL.isValid),
        secret: true, fallbackVariable: "DATABASE_URL",
        summary: "The PostgreSQL database of the `database` driver.")
    /// The table (`table`, `SESSION_TABLE`).
    public static let tableSetting = SessionSetting<String>(
        "table", default: "sessions",
        format: .text("a plain identifier: a letter or _, then letters, digits or _, at most 40", isValid: PostgresSessionTable.isValid),
        summary: "The `database` driver's table.")
    /// The most pool connections (`database_pool_size`, `SESSION_DATABASE_POOL_SIZE`).
    public static let poolSizeSetting = SessionSetting<Int>(
        "database_pool_size", default: 20, format: .integer(in: 1...1000, unit: "connections"),
        summary: "The most connections the `database` driver opens per instance.")
    /// How long a connect may take (`database_connect_timeout`, `SESSION_DATABASE_CONNECT_TIMEOUT`).
    public static let connectTimeoutSetting = SessionSetting<Duration>(
        "database_connect_timeout", default: .seconds(5), format: .duration(unit: .seconds, in: 1...300),
        summary: "Seconds the `database` driver waits for a connection before answering 503.")
    /// How long a statement may run (`database_statement_timeout`, `SESSION_DATABASE_STATEMENT_TIMEOUT`).
    public static let statementTimeoutSetting = SessionSetting<Duration>(
        "database_statement_timeout", default: .seconds(5), format: .duration(unit: .seconds, in: 1...300),
        summary: "Seconds one statement of the `database` driver may run before it is cancelled (503).")
    /// Whether the boot creates the table (`database_migrate`, `SESSION_DATABASE_MIGRATE`).
    public static let migrateSetting = SessionSetting<Bool>(
        "database_migrate", default: true, format: .flag,
        summary: "Whether the `database` driver creates its table at boot when missing (off: run `sessions-postgres migrate`).")
    /// The driver's own settings, registered with it.
    public static let settings: [any AnySessionSetting] = [
        urlSetting, tableSetting, poolSizeSetting, connectTimeoutSetting, statementTimeoutSetting, migrateSetting,
    ]

    /// A driver from the manager's context: the settings above, the context's clock.
    /// - Throws: ``PostgresSessionDriverError`` when the URL or table cannot be used.
    public convenience init(context: SessionDriverContext, logger: Logger = PostgresSessionDriver.defaultLogger) throws {
        try self.init(
            url: context[Self.urlSetting],
            table: context[Self.tableSetting],
            poolSize: context[Self.poolSizeSetting],
            connectTimeout: context[Self.connectTimeoutSetting],
            statementTimeout: context[Self.statementTimeoutSetting],
            migratesAtOpen: context[Self.migrateSetting],
            clock: context.clock,
            logger: logger)
    }
}

extension SessionManager {
    /// Registers the PostgreSQL driver under `name` (Laravel's `database`), with its settings.
    ///
    /// ```swift
    /// let sessions = try SessionManager(config: .load()).extendPostgres()
    /// // SESSION_DRIVER=database SESSION_DATABASE_URL=postgres://app:secret@127.0.0.1/app
    /// ```
    @discardableResult
    public func extendPostgres(name: String = "database", logger: Logger = PostgresSessionDriver.defaultLogger) -> Self {
        extend(name, settings: PostgresSessionDriver.settings) { try PostgresSessionDriver(context: $0, logger: logger) }
    }
}
#endif
