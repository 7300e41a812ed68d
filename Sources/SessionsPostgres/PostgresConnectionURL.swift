#if Postgres
import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read once into what a
/// ``PostgresClient`` needs. Its ``description`` never shows the password.
struct PostgresConnectionURL: Sendable, CustomStringConvertible {
    /// libpq's `sslmode` values that need no certificate files.
    enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS, without checking the certificate.
        case require
        /// TLS with a certificate the system trusts, for any host name.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate for this host name.
        case verifyFull = "verify-full"
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var sslMode: SSLMode

    /// Reads `text`; the error says which part is wrong, without the password.
    init(parsing text: String) throws(PostgresSessionDriverError) {
        guard !text.isEmpty else {
            throw .invalidURL(reason: "it is not set: set SESSION_DATABASE_URL (or DATABASE_URL) to postgres://user:password@host:port/database")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else { throw .invalidURL(reason: "it is not a postgres:// URL") }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL(reason: "it names no host") }
        guard let username = components.user, !username.isEmpty else { throw .invalidURL(reason: "it names no user") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw .invalidURL(reason: "port \(port) is out of range") }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw .invalidURL(reason: "parameter \(item.name) is not supported (only sslmode)") }
            guard let value = item.value.flatMap(SSLMode.init(rawValue:)) else {
                throw .invalidURL(reason: "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sslMode = value
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.contains("/") else { throw .invalidURL(reason: "the database name contains /") }
        self.host = host
        self.port = port
        self.username = username
        self.password = components.password
        self.database = database.isEmpty ? username : database
        self.sslMode = sslMode
    }

    /// Whether `text` reads as a URL this driver can use.
    @Sendable static func isValid(_ text: String) -> Bool {
        (try? PostgresConnectionURL(parsing: text)) != nil
    }

    /// Where the URL points, for messages: `user@host:port/database`.
    var description: String { "\(username)@\(host):\(port)/\(database)" }

    /// The client configuration for this URL.
    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsSettings {
        case nil: .disable
        case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The TLS mode of a single connection.
    var connectionTLS: PostgresConnection.Configuration.TLS {
        get throws {
            guard let (configuration, required) = tlsSettings else { return .disable }
            let context = try NIOSSLContext(configuration: configuration)
            return required ? .require(context) : .prefer(context)
        }
    }

    /// What `sslmode` asks for: nil for plain TCP, else how certificates are checked and
    /// whether a server without TLS is refused.
    private var tlsSettings: (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        return (configuration, sslMode != .prefer)
    }
}
#endif
