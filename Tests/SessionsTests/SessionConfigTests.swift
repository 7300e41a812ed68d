import Foundation
import Testing

@testable import Sessions

@Suite("SessionConfig loading and validation")
struct SessionConfigTests {
    // MARK: - Helpers

    /// The package root: this file is `Tests/SessionsTests/SessionConfigTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let shippedFile = packageRoot.appendingPathComponent("config/session.json").path

    /// A fresh folder under the temporary directory, removed after `body`.
    static func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("SessionConfigTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    /// Writes `json` to a temporary file and loads it with `environment`.
    static func load(json: String, environment: [String: String] = [:]) throws -> SessionConfig {
        try withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("session.json")
            try Data(json.utf8).write(to: file)
            return try SessionConfig.load(file: file.path, environment: environment)
        }
    }

    /// The error loading `json` with `environment` throws, or nil when it loads.
    static func loadError(json: String = "{}", environment: [String: String] = [:]) -> SessionConfigError? {
        do {
            _ = try load(json: json, environment: environment)
            return nil
        } catch let error as SessionConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    // MARK: - Defaults and the shipped file

    @Test func defaultsMatchLaravel() throws {
        let config = SessionConfig()
        #expect(config.driver == "file")
        #expect(config.lifetime == .minutes(120))
        #expect(config.absoluteLifetime == nil)
        #expect(config.expireOnClose == false)
        #expect(config.lottery == SessionConfig.Lottery(chances: 2, outOf: 100))
        #expect(config.path == "/")
        #expect(config.domain == nil)
        #expect(config.httpOnly == true)
        #expect(config.sameSite == .lax)
        #expect(config.partitioned == false)
        #expect(config.secure == false)
        try config.validate()
    }

    @Test func shippedConfigFileLoadsToTheDefaults() throws {
        let config = try SessionConfig.load(file: Self.shippedFile, environment: [:])
        #expect(config == SessionConfig())
    }

    @Test func shippedConfigFileHasEveryKeyAndAComment() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.shippedFile))
        let members = try JSONDecoder().decode([String: SessionValue].self, from: data)
        for setting in SessionConfig.builtInSettings {
            #expect(members[setting.key] != nil, "config/session.json lacks \(setting.key)")
        }
        guard case .string(let text) = members["_comment"] else {
            Issue.record("config/session.json has no _comment string")
            return
        }
        #expect(text.contains("secure"))
        #expect(text.contains("SESSION_"))
        #expect(text.contains("production"))
    }

    @Test func missingFileGivesTheDefaults() throws {
        let config = try Self.withTemporaryFolder { folder in
            try SessionConfig.load(file: folder.appendingPathComponent("absent.json").path, environment: [:])
        }
        #expect(config == SessionConfig())
    }

    @Test func emptyFileNameSkipsTheFile() throws {
        let config = try SessionConfig.load(file: "", environment: ["SESSION_LIFETIME": "5"])
        #expect(config.lifetime == .minutes(5))
    }

    // MARK: - The environment table

    @Test func everyVariableIsSessionAndTheUpperCasedKey() {
        for setting in SessionConfig.builtInSettings {
            #expect(setting.environmentVariable == "SESSION_" + setting.key.uppercased())
        }
        let fallbacks = Dictionary(
            uniqueKeysWithValues: SessionConfig.builtInSettings.compactMap { setting in setting.fallbackVariable.map { (setting.key, $0) } })
        #expect(fallbacks == ["secure": "SESSION_SECURE_COOKIE", "partitioned": "SESSION_PARTITIONED_COOKIE"])
        #expect(Set(SessionConfig.builtInSettings.map(\.key)).count == SessionConfig.builtInSettings.count)
    }

    @Test func aSettingsOwnVariableWinsOverItsFallback() throws {
        let config = try SessionConfig.load(file: "", environment: ["SESSION_SECURE": "false", "SESSION_SECURE_COOKIE": "true"])
        #expect(config.secure == false)
    }

    // MARK: - Overrides

    @Test func jsonOverridesTheDefaults() throws {
        let config = try Self.load(
            json: """
                {
                  "driver": "memory", "lifetime": 30, "absolute_lifetime": 720, "expire_on_close": true,
                  "files": "/var/sessions", "files_fsync": true, "lottery": [1, 50], "cookie": "app_session",
                  "path": "/app", "domain": ".example.com", "secure": true, "http_only": false,
                  "same_site": "strict", "partitioned": true, "max_payload_bytes": 4096,
                  "memory_max_sessions": 10, "touch_interval": 60, "gc_min_interval": 5
                }
                """)
        var expected = SessionConfig()
        expected.driver = "memory"
        expected.lifetime = .minutes(30)
        expected.absoluteLifetime = .minutes(720)
        expected.expireOnClose = true
        expected[FileSessionDriver.folderSetting] = "/var/sessions"
        expected[FileSessionDriver.fsyncSetting] = true
        expected.lottery = .init(chances: 1, outOf: 50)
        expected.cookie = "app_session"
        expected.path = "/app"
        expected.domain = ".example.com"
        expected.secure = true
        expected.httpOnly = false
        expected.sameSite = .strict
        expected.partitioned = true
        expected.maxPayloadBytes = 4096
        expected[MemorySessionDriver.maximumSessionsSetting] = 10
        expected.touchInterval = .seconds(60)
        expected.gcMinInterval = .seconds(5)
        #expect(config == expected)
    }

    @Test func jsonNullClearsDomainAndSameSite() throws {
        let config = try Self.load(json: #"{"domain": null, "same_site": null}"#)
        #expect(config.domain == nil)
        #expect(config.sameSite == nil)
    }

    @Test func environmentOverridesJSON() throws {
        let config = try Self.load(
            json: #"{"lifetime": 30, "cookie": "from_file", "same_site": "strict"}"#,
            environment: ["SESSION_LIFETIME": "45", "SESSION_SAME_SITE": "lax"])
        #expect(config.lifetime == .minutes(45))
        #expect(config.cookie == "from_file")
        #expect(config.sameSite == .lax)
    }

    @Test func unrelatedEnvironmentVariablesAreIgnored() throws {
        let config = try SessionConfig.load(file: "", environment: ["SESSION_LIFETME": "abc", "PATH": "/bin"])
        #expect(config == SessionConfig())
    }

    @Test(arguments: [
        ("SESSION_DRIVER", "memory"),
        ("SESSION_LIFETIME", "15"),
        ("SESSION_EXPIRE_ON_CLOSE", "true"),
        ("SESSION_COOKIE", "laravel_session"),
        ("SESSION_PATH", "/admin"),
        ("SESSION_DOMAIN", "example.com"),
        ("SESSION_SECURE_COOKIE", "true"),
        ("SESSION_HTTP_ONLY", "false"),
        ("SESSION_SAME_SITE", "strict"),
        ("SESSION_PARTITIONED_COOKIE", "true"),
    ])
    func eachLaravelEnvironmentNameWorks(variable: String, value: String) throws {
        var environment = [variable: value]
        if variable == "SESSION_PARTITIONED_COOKIE" { environment["SESSION_SECURE_COOKIE"] = "true" }
        let config = try SessionConfig.load(file: "", environment: environment)
        switch variable {
        case "SESSION_DRIVER": #expect(config.driver == "memory")
        case "SESSION_LIFETIME": #expect(config.lifetime == .minutes(15))
        case "SESSION_EXPIRE_ON_CLOSE": #expect(config.expireOnClose)
        case "SESSION_COOKIE": #expect(config.cookie == "laravel_session")
        case "SESSION_PATH": #expect(config.path == "/admin")
        case "SESSION_DOMAIN": #expect(config.domain == "example.com")
        case "SESSION_SECURE_COOKIE": #expect(config.secure)
        case "SESSION_HTTP_ONLY": #expect(config.httpOnly == false)
        case "SESSION_SAME_SITE": #expect(config.sameSite == .strict)
        case "SESSION_PARTITIONED_COOKIE": #expect(config.partitioned)
        default: Issue.record("untested variable \(variable)")
        }
    }

    @Test func theOtherEnvironmentVariablesWork() throws {
        let config = try SessionConfig.load(
            file: "",
            environment: [
                "SESSION_ABSOLUTE_LIFETIME": "600",
                "SESSION_FILES": "/tmp/sessions",
                "SESSION_FILES_FSYNC": "yes",
                "SESSION_LOTTERY": "1, 1000",
                "SESSION_MAX_PAYLOAD_BYTES": "1024",
                "SESSION_MEMORY_MAX_SESSIONS": "50",
                "SESSION_TOUCH_INTERVAL": "300",
                "SESSION_GC_MIN_INTERVAL": "0",
            ])
        #expect(config.absoluteLifetime == .minutes(600))
        #expect(config[FileSessionDriver.folderSetting] == "/tmp/sessions")
        #expect(config[FileSessionDriver.fsyncSetting])
        #expect(config.lottery == .init(chances: 1, outOf: 1000))
        #expect(config.maxPayloadBytes == 1024)
        #expect(config[MemorySessionDriver.maximumSessionsSetting] == 50)
        #expect(config.touchInterval == .seconds(300))
        #expect(config.gcMinInterval == .zero)
    }

    @Test(arguments: [
        ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("On", true), (" true\r", true),
        ("false", false), ("False", false), ("0", false), ("no", false), ("OFF", false),
    ])
    func environmentBooleanSpellings(value: String, expected: Bool) throws {
        let config = try SessionConfig.load(file: "", environment: ["SESSION_EXPIRE_ON_CLOSE": value])
        #expect(config.expireOnClose == expected)
    }

    @Test(arguments: ["", "null", "NULL"])
    func emptyOrNullEnvironmentMeansNoDomainAndNoSameSite(value: String) throws {
        let config = try Self.load(
            json: #"{"domain": "example.com"}"#,
            environment: ["SESSION_DOMAIN": value, "SESSION_SAME_SITE": value])
        #expect(config.domain == nil)
        #expect(config.sameSite == nil)
    }

    @Test func sameSiteNoneWithSecureLoads() throws {
        let config = try SessionConfig.load(
            file: "", environment: ["SESSION_SAME_SITE": "None", "SESSION_SECURE_COOKIE": "on"])
        #expect(config.sameSite == SessionConfig.SameSite.none)
        #expect(config.secure)
    }

    // MARK: - Bad values

    /// A bad input, and the texts its error message must contain.
    struct BadInput: Sendable, CustomTestStringConvertible {
        var json: String = "{}"
        var environment: [String: String] = [:]
        var key: String?
        var mentions: [String]

        var testDescription: String { "\(json) \(environment) → \(mentions)" }
    }

    @Test(arguments: [
        BadInput(
            environment: ["SESSION_LIFETIME": "abc"], key: "lifetime",
            mentions: ["SESSION_LIFETIME=abc: lifetime must be a whole number of minutes from 1 to 5256000"]),
        BadInput(environment: ["SESSION_LIFETIME": "0"], key: "lifetime", mentions: ["SESSION_LIFETIME=0", "lifetime"]),
        BadInput(
            environment: ["SESSION_LIFETIME": "99999999999999999999"], key: "lifetime",
            mentions: ["SESSION_LIFETIME=99999999999999999999"]),
        BadInput(
            environment: ["SESSION_LIFETIME": "5256001"], key: "lifetime", mentions: ["SESSION_LIFETIME=5256001"]),
        BadInput(
            environment: ["SESSION_SAME_SITE": "sideways"], key: "same_site",
            mentions: ["SESSION_SAME_SITE=sideways", "same_site must be"]),
        BadInput(json: #"{"same_site": "sideways"}"#, key: "same_site", mentions: [#""same_site""#, #""sideways""#]),
        BadInput(environment: ["SESSION_LOTTERY": "2"], key: "lottery", mentions: ["SESSION_LOTTERY=2", "lottery must be"]),
        BadInput(environment: ["SESSION_LOTTERY": "5,2"], key: "lottery", mentions: ["SESSION_LOTTERY=5,2"]),
        BadInput(json: #"{"lottery": [5, 2]}"#, key: "lottery", mentions: [#""lottery""#, "[5, 2]", "chances <= out_of"]),
        BadInput(json: #"{"lottery": [2]}"#, key: "lottery", mentions: ["[2]"]),
        BadInput(json: #"{"lottery": [-1, 100]}"#, key: "lottery", mentions: ["[-1, 100]"]),
        BadInput(json: #"{"lottery": [0, 0]}"#, key: "lottery", mentions: ["[0, 0]"]),
        BadInput(json: #"{"cookie": "a b"}"#, key: "cookie", mentions: [#""cookie""#, #""a b""#, "RFC 6265"]),
        BadInput(environment: ["SESSION_COOKIE": "a b"], key: "cookie", mentions: [#"SESSION_COOKIE="a b""#]),
        BadInput(environment: ["SESSION_COOKIE": "a=b"], key: "cookie", mentions: ["SESSION_COOKIE=a=b"]),
        BadInput(environment: ["SESSION_COOKIE": ""], key: "cookie", mentions: [#"SESSION_COOKIE="""#]),
        BadInput(json: #"{"path": "nope"}"#, key: "path", mentions: [#""path""#, #""nope""#, "starting with /"]),
        BadInput(environment: ["SESSION_PATH": "/a;b"], key: "path", mentions: ["SESSION_PATH=/a;b"]),
        BadInput(json: #"{"domain": "a b.com"}"#, key: "domain", mentions: [#""a b.com""#]),
        BadInput(json: #"{"domain": ""}"#, key: "domain", mentions: [#""domain""#]),
        BadInput(environment: ["SESSION_DOMAIN": "x.com;evil"], key: "domain", mentions: ["SESSION_DOMAIN=x.com;evil"]),
        BadInput(json: #"{"lifetime": true}"#, key: "lifetime", mentions: [#""lifetime": true"#, "whole number"]),
        BadInput(json: #"{"lifetime": 1.5}"#, key: "lifetime", mentions: ["1.5"]),
        BadInput(json: #"{"lifetime": "120"}"#, key: "lifetime", mentions: [#""120""#]),
        BadInput(json: #"{"secure": 1}"#, key: "secure", mentions: [#""secure": 1"#, "true or false"]),
        BadInput(json: #"{"secure": "true"}"#, key: "secure", mentions: [#""secure": "true""#]),
        BadInput(json: #"{"driver": null}"#, key: "driver", mentions: [#""driver": null"#]),
        BadInput(json: #"{"driver": ""}"#, key: "driver", mentions: ["driver must be a non-empty driver name"]),
        BadInput(json: #"{"max_payload_bytes": 99999999999}"#, key: "max_payload_bytes", mentions: ["99999999999"]),
        BadInput(environment: ["SESSION_TOMBSTONE_LIFETIME": "86401"], key: "tombstone_lifetime", mentions: ["86401"]),
        BadInput(json: #"{"files": ""}"#, key: "files", mentions: [#""files""#]),
        BadInput(environment: ["SESSION_SECURE_COOKIE": "maybe"], key: "secure", mentions: ["SESSION_SECURE_COOKIE=maybe", "secure must be"]),
        BadInput(environment: ["SESSION_HTTP_ONLY": ""], key: "http_only", mentions: [#"SESSION_HTTP_ONLY="""#]),
        BadInput(json: #"{"absolute_lifetime": -1}"#, key: "absolute_lifetime", mentions: ["-1"]),
        BadInput(json: #"{"max_payload_bytes": 0}"#, key: "max_payload_bytes", mentions: [#""max_payload_bytes": 0"#]),
        BadInput(environment: ["SESSION_MEMORY_MAX_SESSIONS": "-5"], key: "memory_max_sessions", mentions: ["SESSION_MEMORY_MAX_SESSIONS=-5"]),
        BadInput(json: #"{"touch_interval": -1}"#, key: "touch_interval", mentions: ["-1"]),
        BadInput(environment: ["SESSION_GC_MIN_INTERVAL": "-1"], key: "gc_min_interval", mentions: ["SESSION_GC_MIN_INTERVAL=-1"]),
    ])
    func badValuesNameTheKeyAndTheValue(input: BadInput) throws {
        let error = try #require(Self.loadError(json: input.json, environment: input.environment))
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(error)")
            return
        }
        #expect(error.key == input.key)
        for text in input.mentions {
            #expect(error.description.contains(text), "\(error.description) lacks \(text)")
        }
    }

    @Test func jsonErrorsNameTheFile() throws {
        try Self.withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("session.json")
            try Data(#"{"lifetime": true}"#.utf8).write(to: file)
            #expect(throws: SessionConfigError.invalidValue(
                key: "lifetime", value: "true", expected: SessionConfig.Settings.lifetime.format.expected, source: .file(file.path)))
            {
                try SessionConfig.load(file: file.path, environment: [:])
            }
        }
    }

    @Test func environmentErrorsCarryTheVariable() {
        #expect(throws: SessionConfigError.invalidValue(
            key: "lifetime", value: "abc", expected: SessionConfig.Settings.lifetime.format.expected,
            source: .environment("SESSION_LIFETIME")))
        {
            try SessionConfig.load(file: "", environment: ["SESSION_LIFETIME": "abc"])
        }
    }

    @Test func sameSiteNoneWithoutSecureIsInconsistent() throws {
        for (json, environment) in [
            (#"{"same_site": "none"}"#, [String: String]()),
            ("{}", ["SESSION_SAME_SITE": "none"]),
            (#"{"same_site": "none", "secure": true}"#, ["SESSION_SECURE_COOKIE": "false"]),
        ] {
            let error = try #require(Self.loadError(json: json, environment: environment))
            guard case .inconsistent(let message) = error else {
                Issue.record("expected inconsistent, got \(error)")
                continue
            }
            #expect(message.contains("same_site"))
            #expect(message.contains("secure"))
        }
    }

    @Test func partitionedWithoutSecureIsInconsistent() throws {
        let error = try #require(Self.loadError(json: #"{"partitioned": true}"#))
        guard case .inconsistent(let message) = error else {
            Issue.record("expected inconsistent, got \(error)")
            return
        }
        #expect(message.contains("partitioned"))
        #expect(message.contains("secure"))
    }

    @Test func touchIntervalMustBeBelowTheLifetime() throws {
        let error = try #require(Self.loadError(json: #"{"lifetime": 1, "touch_interval": 60}"#))
        guard case .inconsistent(let message) = error else {
            Issue.record("expected inconsistent, got \(error)")
            return
        }
        #expect(message.contains("touch_interval"))
        #expect(message.contains("lifetime"))
        #expect(try Self.load(json: #"{"lifetime": 1, "touch_interval": 59}"#).touchInterval == .seconds(59))
    }

    @Test func environmentCanFixAnInconsistentFile() throws {
        let config = try Self.load(json: #"{"same_site": "none"}"#, environment: ["SESSION_SECURE_COOKIE": "true"])
        #expect(config.sameSite == SessionConfig.SameSite.none)
        #expect(config.secure)
    }

    @Test func unknownKeyFailsTheBootAndSuggests() async throws {
        let config = try Self.load(json: #"{"lifetme": 120}"#)
        let manager = try SessionManager(config: config)
        let error = await #expect(throws: SessionConfigError.self) { try await manager.open() }
        guard case .unknownKey(let key, .file(let file), let suggestion)? = error else {
            Issue.record("expected unknownKey, got \(String(describing: error))")
            return
        }
        #expect(key == "lifetme")
        #expect(file.hasSuffix("session.json"))
        #expect(suggestion == "lifetime")
        #expect(error?.description.contains(#"did you mean "lifetime"?"#) == true)
        // The first request fails the same way when the app skipped the boot step.
        await #expect(throws: SessionConfigError.self) { try await manager.buildSession() }
    }

    @Test func underscoreKeysAreIgnored() throws {
        let config = try Self.load(
            json: #"{"_comment": "docs", "_note": {"nested": [1, true]}, "lifetime": 60}"#)
        var expected = SessionConfig()
        expected.lifetime = .minutes(60)
        #expect(config == expected)
    }

    // MARK: - Malformed and unreadable files

    @Test(arguments: [
        #"{"lifetime": 120"#,
        #"{"lifetime": tru}"#,
        "[1, 2]",
        "null",
        #""lifetime""#,
        "",
        "// comment\n{}",
        #"{"lifetime": 120} {}"#,
        "{\"cookie\": \"a\u{1}b\"}",
        #"{"cookie": "\ud800"}"#,
    ])
    func malformedJSONThrowsNamingThePath(json: String) throws {
        let error = try #require(Self.loadError(json: json))
        guard case .malformedFile(let path, let reason) = error else {
            Issue.record("expected malformedFile, got \(error)")
            return
        }
        #expect(path.hasSuffix("session.json"))
        #expect(error.description.contains(path))
        #expect(!reason.isEmpty)
    }

    @Test func malformedJSONGivesTheDecodersReasonOnOneLine() throws {
        let error = try #require(Self.loadError(json: "{\n  \"lifetime\": 120\n  \"cookie\": \"x\"\n}"))
        guard case .malformedFile(let path, let reason) = error else {
            Issue.record("expected malformedFile, got \(error)")
            return
        }
        #expect(error.description.contains(path))
        #expect(reason.contains("not valid JSON"))
        #expect(!error.description.contains("\n"))
    }

    /// What Foundation's JSONDecoder accepts that a strict parser would not: a trailing comma, a
    /// repeated key (one of its values is kept) and a whole number written with a fraction or
    /// an exponent.
    @Test func foundationLeniencies() throws {
        #expect(try Self.load(json: #"{"lifetime": 30,}"#).lifetime == .minutes(30))
        #expect(try [.minutes(1), .minutes(2)].contains(Self.load(json: #"{"lifetime": 1, "lifetime": 2}"#).lifetime))
        #expect(try Self.load(json: #"{"lifetime": 30.0}"#).lifetime == .minutes(30))
        #expect(try Self.load(json: #"{"lifetime": 3e1}"#).lifetime == .minutes(30))
    }

    @Test func jsonStringEscapesAndByteOrderMarkAreDecoded() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"files": "/tmp/\u00e9\ud83d\ude00\/x", "path": "/\u0061"}"#.utf8)
        let config = try SessionConfig.decode(json: bytes)
        #expect(config[FileSessionDriver.folderSetting] == "/tmp/é😀/x")
        #expect(config.path == "/a")
    }

    @Test func aFolderIsAnUnreadableFile() throws {
        try Self.withTemporaryFolder { folder in
            var error: SessionConfigError?
            do {
                _ = try SessionConfig.load(file: folder.path, environment: [:])
            } catch let thrown as SessionConfigError {
                error = thrown
            }
            guard case .unreadableFile(let path, let reason)? = error else {
                Issue.record("expected unreadableFile, got \(String(describing: error))")
                return
            }
            #expect(path == folder.path)
            #expect(!reason.isEmpty)
        }
    }

    // MARK: - validate() on a configuration built in code

    @Test func validateChecksEachKey() {
        #expect(validationError { _ in } == nil)
        #expect(validationError { $0.lifetime = .zero }?.key == "lifetime")
        #expect(validationError { $0.lifetime = .seconds(-60) }?.key == "lifetime")
        #expect(validationError { $0.lifetime = .seconds(Int64.max) }?.key == "lifetime")
        #expect(validationError { $0.lifetime = .minutes(Int64(SessionConfig.Settings.maximumLifetimeMinutes)) } == nil)
        #expect(validationError { $0.lifetime = .seconds(90) } == nil)
        #expect(validationError { $0.absoluteLifetime = .seconds(Int64.max) }?.key == "absolute_lifetime")
        #expect(validationError { $0.driver = "" }?.key == "driver")
        #expect(validationError { $0[FileSessionDriver.folderSetting] = "" }?.key == "files")
        #expect(validationError { $0.lottery = .init(chances: 0, outOf: 1) } == nil)
        #expect(validationError { $0.lottery = .init(chances: 1, outOf: 0) }?.key == "lottery")
        for bad in ["", "a b", "a=b", "a;b", "a,b", "a\u{7f}", "a\tb", "é", "a/b", "(a)", "a\"b"] {
            #expect(validationError { $0.cookie = bad }?.key == "cookie", "cookie \(bad.debugDescription)")
        }
        for good in ["laravel_session", "XSRF-TOKEN", "a.b!#$%&'*+^`|~"] {
            #expect(validationError { $0.cookie = good } == nil, "cookie \(good)")
        }
        for bad in ["", "nope", "/a;b", "/a,b", "/a\nb"] {
            #expect(validationError { $0.path = bad }?.key == "path", "path \(bad.debugDescription)")
        }
        for bad in ["", "a b", "a;b", "a\r\nSet-Cookie: x"] {
            #expect(validationError { $0.domain = bad }?.key == "domain", "domain \(bad.debugDescription)")
        }
        #expect(validationError { $0.domain = ".example.com" } == nil)
        #expect(validationError { $0.maxPayloadBytes = 0 }?.key == "max_payload_bytes")
        #expect(validationError { $0.maxPayloadBytes = Int.max }?.key == "max_payload_bytes")
        #expect(validationError { $0[MemorySessionDriver.maximumSessionsSetting] = 0 }?.key == "memory_max_sessions")
        #expect(validationError { $0.touchInterval = .seconds(-1) }?.key == "touch_interval")
        #expect(validationError { $0.gcMinInterval = .seconds(-1) }?.key == "gc_min_interval")
        #expect(validationError { $0.tombstoneLifetime = .seconds(Int64.max) }?.key == "tombstone_lifetime")
        #expect(validationError { $0.sameSite = SessionConfig.SameSite.none }?.key == nil)
    }

    @Test func messagesEscapeControlCharacters() {
        var config = SessionConfig()
        config.cookie = "a\r\nb"
        do {
            try config.validate()
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"cookie = "a\r\nb": cookie must be "# + SessionConfig.Settings.cookie.format.expected)
            #expect(!error.description.contains("\n"))
        }
    }
}
