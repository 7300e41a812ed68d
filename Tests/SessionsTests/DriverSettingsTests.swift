import Foundation
import Testing

@testable import Sessions

/// Drivers' own settings, secrets, the manager's checks of every configuration, and the boot step.
@Suite struct DriverSettingsTests {
    static let table = SessionSetting<String>(
        "table", default: "sessions",
        format: .text("letters and _") { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "_" } },
        summary: "A test driver's table.")
    static let url = SessionSetting<String>(
        "database_url", default: "", format: .text("a postgres:// URL with a valid port", isValid: isPostgresURL),
        secret: true, fallbackVariable: "DATABASE_URL", summary: "A test driver's URL.")
    static let apiKey = SessionSetting<String>(
        "api_key", default: "", format: .text("at least 16 characters") { $0.count >= 16 }, secret: true,
        summary: "A test driver's key.")

    @Sendable static func isPostgresURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), components.scheme == "postgres" else { return false }
        return components.port.map { (1...65535).contains($0) } ?? true
    }

    /// A manager over `config` with a `db` driver that reads the three settings above, and what
    /// its factory saw.
    static func manager(_ config: SessionConfig) throws -> (SessionManager, Locked<SessionDriverContext?>) {
        var config = config
        config.driver = "db"
        let seen = Locked<SessionDriverContext?>(nil)
        let manager = try SessionManager(config: config)
        manager.extend("db", settings: [table, url, apiKey]) { context in
            seen.withLock { $0 = context }
            return MemorySessionDriver(context: context)
        }
        return (manager, seen)
    }

    static func load(json: String = "{}", environment: [String: String] = [:]) throws -> SessionConfig {
        try SessionConfig.decode(json: Array(json.utf8), file: "session.json").with(environment: environment)
    }

    // MARK: - A driver's own settings

    @Test func aDriversOwnKeyIsReadFromTheFileAndTheEnvironmentWins() async throws {
        let (fromFile, seenFile) = try Self.manager(try Self.load(json: #"{"table": "from_file"}"#))
        try await fromFile.open()
        #expect(seenFile.withLock { $0?[Self.table] } == "from_file")

        let (fromEnvironment, seenEnvironment) = try Self.manager(
            try Self.load(json: #"{"table": "from_file"}"#, environment: ["SESSION_TABLE": "from_env"]))
        try await fromEnvironment.open()
        #expect(seenEnvironment.withLock { $0?[Self.table] } == "from_env")
        #expect(fromEnvironment.config[Self.table] == "from_env")
    }

    @Test func aValueSetInCodeWinsAndTheDefaultFillsIn() async throws {
        var config = try Self.load(environment: ["SESSION_TABLE": "from_env"])
        config[Self.table] = "from_code"
        let (manager, seen) = try Self.manager(config)
        try await manager.open()
        #expect(seen.withLock { $0?[Self.table] } == "from_code")
        #expect(seen.withLock { $0?[Self.apiKey] } == "")
    }

    @Test func theFallbackVariableIsReadWhenTheOwnOneIsUnset() async throws {
        let (manager, seen) = try Self.manager(try Self.load(environment: ["DATABASE_URL": "postgres://db/app"]))
        try await manager.open()
        #expect(seen.withLock { $0?[Self.url] } == "postgres://db/app")

        let (both, seenBoth) = try Self.manager(
            try Self.load(environment: ["DATABASE_URL": "postgres://db/app", "SESSION_DATABASE_URL": "postgres://sessions/app"]))
        try await both.open()
        #expect(seenBoth.withLock { $0?[Self.url] } == "postgres://sessions/app")
    }

    @Test func aBadDriverValueFailsTheBootNamingTheKeyAndTheVariable() async throws {
        let (manager, _) = try Self.manager(try Self.load(environment: ["SESSION_TABLE": "two words"]))
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        #expect(error == .invalidValue(key: "table", value: "two words", expected: "letters and _", source: .environment("SESSION_TABLE")))
        #expect(error?.description.contains(#"SESSION_TABLE="two words": table must be letters and _"#) == true)
    }

    @Test func anUnknownKeyIsSuggestedADriversKey() async throws {
        let (manager, _) = try Self.manager(try Self.load(json: #"{"tabel": "x"}"#))
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        #expect(error == .unknownKey("tabel", source: .file("session.json"), suggestion: "table"))
    }

    @Test func aKeyBecomesKnownWhenItsDriverIsRegistered() async throws {
        let manager = try SessionManager(config: try Self.load(json: #"{"table": "x"}"#))
        await #expect(throws: SessionConfigError.self) { try await manager.open() }
        manager.extend("db", settings: [Self.table]) { MemorySessionDriver(context: $0) }
        try await manager.open()
    }

    @Test func unrelatedEnvironmentVariablesNeverFailTheBoot() async throws {
        // SESSION_MANAGER is set by X11 desktop sessions: variables are never strict, file keys are.
        let (manager, _) = try Self.manager(try Self.load(environment: ["SESSION_MANAGER": "local/host:@/tmp/.ICE", "SESSION_TABEL": "x"]))
        try await manager.open()
    }

    @Test func declarationsThatClashAreRejected() async throws {
        let otherFiles = SessionSetting<Int>("files", default: 1, format: .integer(in: 0...9, unit: "things"), summary: "clash")
        let manager = try SessionManager()
        manager.extend("clash", settings: [otherFiles]) { MemorySessionDriver(context: $0) }
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        #expect(error?.key == "files")

        let badKey = SessionSetting<Bool>("Table-Name", default: true, format: .flag, summary: "bad")
        let other = try SessionManager()
        other.extend("bad", settings: [badKey]) { MemorySessionDriver(context: $0) }
        let keyError = await #expect(throws: SessionConfigError.self) { try await other.open() }
        guard case .invalidDeclaration(let key, _)? = keyError else {
            Issue.record("expected invalidDeclaration, got \(String(describing: keyError))")
            return
        }
        #expect(key == "Table-Name")
        // One declaration shared by two drivers (a wrapper and the driver it wraps) is fine.
        let shared = try SessionManager()
        shared.extend("wrapper", settings: FileSessionDriver.settings) { FileSessionDriver(context: $0) }
        try await shared.open(drivers: ["wrapper"])
    }

    // MARK: - Secrets

    @Test func aSecretsValueIsNeverInAnErrorMessage() async throws {
        let (manager, _) = try Self.manager(try Self.load(environment: ["SESSION_API_KEY": "hunter2"]))
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        let text = try #require(error?.description)
        #expect(!text.contains("hunter2"))
        #expect(text.contains("SESSION_API_KEY=redacted: api_key must be at least 16 characters"))

        let (fromFile, _) = try Self.manager(try Self.load(json: #"{"api_key": "hunter2"}"#))
        let fileError = await #expect(throws: SessionConfigError.self) { try await fromFile.open() }
        #expect(fileError?.description.contains("hunter2") == false)
        #expect(fileError?.description.contains(#""api_key": redacted"#) == true)
    }

    @Test func aSecretURLShowsEverythingButItsPassword() async throws {
        let (manager, _) = try Self.manager(
            try Self.load(environment: ["DATABASE_URL": "postgres://ada:hunter2@db.example:99999/app?sslmode=require"]))
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        let text = try #require(error?.description)
        #expect(!text.contains("hunter2"))
        #expect(text.contains("DATABASE_URL=postgres://ada:redacted@db.example:99999/app?sslmode=require"), "\(text)")
    }

    @Test func aSecretSetInCodeIsRedactedInDescriptionDumpAndErrors() throws {
        var config = SessionConfig()
        config[Self.apiKey] = "hunter2"
        config[Self.url] = "postgres://ada:hunter2@db/app"
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
            #expect(text.contains("redacted"))
        }
        #expect(String(describing: config).contains("postgres://ada:redacted@db/app"))
        let error = #expect(throws: SessionConfigError.self) { try config.validate() }
        #expect(error?.description == "api_key = redacted: api_key must be at least 16 characters")
    }

    @Test(arguments: [
        ("postgres://ada:p%40ss@db:5432/app", "postgres://ada:redacted@db:5432/app"),
        ("postgres://ada@db/app", "redacted"),
        ("not a url hunter2", "redacted"),
        ("hunter2", "redacted"),
    ])
    func redaction(secret: String, shown: String) {
        #expect(SettingText.redacted(secret) == shown)
    }

    // MARK: - Every configuration is checked

    @Test func aConfigBuiltInCodeCannotForgeCookieAttributes() {
        var config = SessionConfig()
        config.path = "/; Domain=evil.example"
        #expect(throws: SessionConfigError.invalidValue(
            key: "path", value: #""/; Domain=evil.example""#, expected: SessionConfig.Settings.path.format.expected, source: .code))
        {
            try SessionManager(config: config)
        }
    }

    @Test func anOverflowingLifetimeIsAnErrorNotATrap() throws {
        var config = SessionConfig()
        config.lifetime = .seconds(Int64.max)
        #expect(throws: SessionConfigError.self) { try SessionManager(config: config) }
        config.lifetime = .minutes(120)
        config.touchInterval = .seconds(Int64.max)
        #expect(throws: SessionConfigError.self) { try SessionManager(config: config) }
        let error = #expect(throws: SessionConfigError.self) {
            try SessionConfig.load(file: "", environment: ["SESSION_LIFETIME": "9223372036854775807"])
        }
        #expect(error?.key == "lifetime")
    }

    // MARK: - The boot step

    @Test func theBootStepOpensTheDefaultDriverAndNamesOneThatFails() async throws {
        let opened = Counter()
        var config = SessionConfig()
        config.driver = "fine"
        let manager = try SessionManager(config: config)
        manager.extend("fine") { _ in OpeningDriver(opened: opened, fails: false) }
        manager.extend("broken") { _ in OpeningDriver(opened: opened, fails: true) }
        try await manager.open()
        try await manager.open()
        #expect(opened.value == 1, "the default driver is opened once and cached")

        let error = await #expect(throws: SessionError.self) { try await manager.open(drivers: ["broken"]) }
        #expect(error == .openFailed(driver: "broken", reason: "the store refused the connection"))
        #expect(error?.description == "session driver [broken] could not be opened: the store refused the connection")
    }

    @Test func theBootStepNamesAnUnknownDriver() async throws {
        var config = SessionConfig()
        config.driver = "redis"
        let manager = try SessionManager(config: config)
        let error = await #expect(throws: SessionError.self) { try await manager.open() }
        #expect(error == .unknownDriver(name: "redis", registered: ["file", "memory"]))
    }

    @Test func theFileDriversBootFailureNamesTheDriverAndTheFolder() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-folder-\(UUID())").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        var config = SessionConfig()
        config[FileSessionDriver.folderSetting] = file
        let manager = try SessionManager(config: config)
        let error = await #expect(throws: SessionError.self) { try await manager.open() }
        let text = try #require(error?.description)
        #expect(text.contains("[file]"))
        #expect(text.contains(file))
    }

    // MARK: - The file's strings

    @Test func anInvalidStringInTheFileNamesTheKey() throws {
        let error = #expect(throws: SessionConfigError.self) {
            try SessionConfig.decode(json: Array(#"{"cookie": "a\ud800b"}"#.utf8), file: "session.json")
        }
        guard case .malformedFile(_, let reason)? = error else {
            Issue.record("expected malformedFile, got \(String(describing: error))")
            return
        }
        #expect(reason.contains(#"the value of "cookie": "a\ud800b" is not a valid JSON string"#), "\(reason)")
        #expect(!reason.contains("dictionary"), "\(reason)")
    }
}

extension SessionConfig {
    /// The configuration with `environment` applied on top, as ``load(file:environment:)`` does.
    func with(environment: [String: String]) throws -> SessionConfig {
        var config = self
        try config.apply(environment: environment)
        try config.validate()
        return config
    }
}

/// A driver whose `open` counts and optionally fails as an unreachable store would.
struct OpeningDriver: SessionDriver {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the store refused the connection" }
    }

    let opened: Counter
    let fails: Bool

    func open() async throws {
        if fails { throw Refused() }
        opened.increment()
    }
    func read(_ id: SessionIdentifier) async throws -> StoredSession? { nil }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {}
    func destroy(_ id: SessionIdentifier) async throws {}
    func gc() async throws -> Int { 0 }
}
