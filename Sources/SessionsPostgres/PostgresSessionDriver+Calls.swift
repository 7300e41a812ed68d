#if Postgres
import Foundation
import Logging
import PostgresNIO
import Sessions

extension PostgresSessionDriver {
    /// Runs one database call within ``callTimeout`` and turns a failure into the error the
    /// middleware answers with: ``Sessions/SessionError/unavailable(reason:)`` when the database
    /// cannot be reached or does not answer in time (503), ``PostgresSessionDriverError/server(operation:target:sqlState:message:)``
    /// when it refuses the statement (500).
    @discardableResult
    func call<Result: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
        let client = self.client
        do {
            return try await Deadline.run(within: callTimeout) { try await body(client) }
        } catch let error as Deadline.Passed {
            throw SessionError.unavailable(reason: "PostgreSQL at \(url) did not answer within \(error.limit)")
        } catch {
            throw classify(error, operation: operation)
        }
    }

    /// Opens one connection of its own and runs `SELECT 1`, so the boot fails with the reason
    /// (refused, unknown host, wrong password or database) instead of waiting on the pool.
    func checkConnection() async throws {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: try url.connectionTLS)
        configuration.options.connectTimeout = .milliseconds(connectTimeout.milliseconds)
        configuration.options.additionalStartupParameters = Self.startupParameters(statementTimeout: statementTimeout)
        let logger = self.logger
        let connectionConfiguration = configuration
        do {
            try await Deadline.run(within: callTimeout) {
                let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
                do {
                    try await connection.query("SELECT 1", logger: logger)
                    try await connection.close()
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
        } catch let error as Deadline.Passed {
            throw SessionError.unavailable(reason: "PostgreSQL at \(url) did not answer within \(error.limit)")
        } catch {
            throw classify(error, operation: "connect")
        }
    }

    /// The error to throw for `error`, without the password, a session ID or a payload.
    func classify(_ error: any Error, operation: String) -> any Error {
        guard let error = error as? PSQLError else { return error }
        guard error.code == .server, let info = error.serverInfo else {
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return SessionError.unavailable(reason: "cannot reach PostgreSQL at \(url) (\(error.code)\(cause))")
        }
        let sqlState = info[.sqlState] ?? "?????"
        let message = info[.message] ?? "no message"
        if Self.meansUnavailable(sqlState: sqlState) {
            return SessionError.unavailable(reason: "PostgreSQL at \(url) cannot serve now: \(message) (SQLSTATE \(sqlState))")
        }
        return PostgresSessionDriverError.server(operation: operation, target: url.description, sqlState: sqlState, message: message)
    }

    /// Server errors that pass: a connection exception (class 08), resources running out (53),
    /// a shutdown or restart (57P01-57P03), a statement cancelled by `statement_timeout` (57014).
    static func meansUnavailable(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || sqlState.hasPrefix("53") || ["57P01", "57P02", "57P03", "57014"].contains(sqlState)
    }
}

#endif
