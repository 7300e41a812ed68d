#if Postgres
/// The sessions table: its name, checked once, and the SQL that creates it.
///
/// The table name is the only text ever spliced into SQL, so it is held to a plain identifier
/// (letters, digits and `_`, at most 40 characters so the index names fit PostgreSQL's 63) and
/// always quoted. Every value is bound as a parameter.
public struct PostgresSessionTable: Sendable, Equatable, CustomStringConvertible {
    /// The unquoted name, such as `sessions`.
    public let name: String

    /// The table named `name`, or nil when it is not a plain identifier of at most 40 characters.
    public init?(_ name: String) {
        guard Self.isValid(name) else { return nil }
        self.name = name
    }

    /// Whether `name` starts with a letter or `_` and holds only ASCII letters, digits and `_`,
    /// at most 40 of them.
    @Sendable public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (1...40).contains(bytes.count) else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F }
        return isLetter(first) && bytes.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) }
    }

    /// The name in double quotes, as spliced into SQL.
    var quoted: String { "\"\(name)\"" }

    public var description: String { quoted }

    /// The statements that create the table and its indexes, each idempotent (`IF NOT EXISTS`).
    var statements: [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS \(quoted) (
                handle        bytea       PRIMARY KEY,  -- SHA-256 of the session ID (32 bytes)
                payload       bytea       NOT NULL,     -- the encoded session, opaque to the database
                version       bigint      NOT NULL,     -- random per write: conditional writes compare it
                last_activity timestamptz NOT NULL,     -- the last write or touch
                expires_at    timestamptz NOT NULL,     -- the idle deadline: after it the row is dead
                created_at    timestamptz NOT NULL,     -- when the session began
                user_key      text                      -- whose session it is; null for a guest
            )
            """,
            // gc deletes by deadline in batches.
            "CREATE INDEX IF NOT EXISTS \"\(name)_expires_at_idx\" ON \(quoted) (expires_at)",
            // A user's sessions ("log out everywhere").
            "CREATE INDEX IF NOT EXISTS \"\(name)_user_key_idx\" ON \(quoted) (user_key) WHERE user_key IS NOT NULL",
        ]
    }

    /// ``statements`` as one SQL script, for `psql` or a migration tool; `sessions.sql` beside
    /// this file is this script for the default name.
    public var schema: String {
        """
        -- The sessions table of swift Sessions (driver `database`), created idempotently.
        -- The key is the SHA-256 of the session ID: a leaked table or backup holds no usable ID.
        -- gc deletes by expires_at in batches; user_key lists a user's sessions.

        """ + statements.map { $0 + ";\n" }.joined(separator: "\n")
    }
}
#endif
