#if Postgres
import ArgumentParser
import Foundation
import Sessions
import SessionsPostgres

/// `sessions-postgres`: the `database` driver's admin command (Laravel's `session:table`):
/// print or apply the schema, run gc once, count live sessions.
///
/// ```sh
/// swift run --traits Postgres sessions-postgres migrate --url postgres://app:secret@db/app
/// ```
struct SessionsPostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions-postgres",
        abstract: "Manage the sessions table of the `database` driver.",
        discussion: """
            The database and table come from --url and --table, else from the app's settings: \
            config/session.json, SESSION_DATABASE_URL (or DATABASE_URL) and SESSION_TABLE.
            """,
        subcommands: [Schema.self, Migrate.self, CollectGarbage.self, Count.self])
}

/// A subcommand whose whole result is text for standard output (so tests read it in-process);
/// `main.swift` prints it.
protocol TextCommand: AsyncParsableCommand {
    func output() async throws -> String
}

/// Where the table is: options over the app's settings.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The database URL (default: the app's database_url setting).")
    var url: String?

    @Option(help: "The table (default: the app's table setting, else sessions).")
    var table: String?

    @Option(help: "The app's settings file.")
    var config = SessionConfig.defaultFile

    /// The table name the options and settings give.
    func tableName() throws -> String {
        try table ?? SessionConfig.load(file: config)[PostgresSessionDriver.tableSetting]
    }

    /// An opened driver that creates nothing at open, for one command.
    func withDriver<Result>(_ body: (PostgresSessionDriver) async throws -> Result) async throws -> Result {
        let settings = try SessionConfig.load(file: config)
        let url = url ?? settings[PostgresSessionDriver.urlSetting]
        guard !url.isEmpty else {
            throw ValidationError("no database: pass --url or set SESSION_DATABASE_URL (or DATABASE_URL)")
        }
        let driver = try PostgresSessionDriver(url: url, table: try tableName(), poolSize: 2, migratesAtOpen: false)
        try await driver.open()
        do {
            let result = try await body(driver)
            try await driver.close()
            return result
        } catch {
            try? await driver.close()
            throw error
        }
    }
}

extension SessionsPostgresCommand {
    struct Schema: TextCommand {
        static let configuration = CommandConfiguration(abstract: "Print the table's SQL (for psql or a migration tool).")
        @OptionGroup var database: DatabaseOptions

        func output() async throws -> String {
            let name = try database.tableName()
            guard let table = PostgresSessionTable(name) else { throw PostgresSessionDriverError.invalidTable(name) }
            return table.schema
        }
    }

    struct Migrate: TextCommand {
        static let configuration = CommandConfiguration(abstract: "Create the table and its indexes when missing (idempotent).")
        @OptionGroup var database: DatabaseOptions

        func output() async throws -> String {
            try await database.withDriver { driver in
                try await driver.migrate()
                return "table \(driver.table) is ready\n"
            }
        }
    }

    struct CollectGarbage: TextCommand {
        static let configuration = CommandConfiguration(commandName: "gc", abstract: "Delete expired sessions once.")
        @OptionGroup var database: DatabaseOptions

        func output() async throws -> String {
            try await database.withDriver { driver in "removed \(try await driver.gc()) expired session(s)\n" }
        }
    }

    struct Count: TextCommand {
        static let configuration = CommandConfiguration(abstract: "Count the live sessions.")
        @OptionGroup var database: DatabaseOptions

        func output() async throws -> String {
            try await database.withDriver { driver in "\(try await driver.liveSessionCount()) live session(s)\n" }
        }
    }
}
#endif
