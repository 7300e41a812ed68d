#if Postgres
/// What the PostgreSQL driver reports when it cannot be set up or the database refuses it.
/// No message carries the password, a session ID or a payload.
public enum PostgresSessionDriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `database_url` does not read as a usable URL.
    case invalidURL(reason: String)
    /// `table` is not a plain identifier.
    case invalidTable(String)
    /// The server answered with an error: its SQLSTATE and message (a wrong password or
    /// database, a missing table or privilege), and what the driver was doing.
    case server(operation: String, target: String, sqlState: String, message: String)

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            "database_url is not usable: \(reason)"
        case .invalidTable(let name):
            "table \"\(name)\" is not a plain identifier (a letter or _, then letters, digits or _, at most 40)"
        case .server(let operation, let target, let sqlState, let message):
            "PostgreSQL at \(target) refused to \(operation): \(message) (SQLSTATE \(sqlState))"
        }
    }
}
#endif
