import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a session configuration could not be loaded, or is not valid.
///
/// Every message names the key (its JSON name, and the environment variable when the value came
/// from one) and the rejected value, for example
/// `SESSION_LIFETIME=abc: lifetime must be a positive whole number of minutes (…)`.
/// Values are shown escaped, so a control character in a bad value cannot forge log lines.
public enum SessionConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where a rejected value came from.
    public enum Source: Sendable, Equatable {
        /// Set in code (and found by ``SessionConfig/validate()``).
        case code
        /// Read from the JSON file at this path.
        case file(String)
        /// Read from this environment variable.
        case environment(String)
    }

    /// A key holds a value it cannot take. `key` is the JSON name; `value` is the value as it was
    /// written (raw for an environment variable, as JSON otherwise); `expected` says what the key takes.
    case invalidValue(key: String, value: String, expected: String, source: Source)
    /// The JSON file at `file` has a key the configuration does not know. Keys starting with `_`
    /// (such as `_comment`) are ignored, so they can document the file; any other unknown key is
    /// an error, so a typo is never silently ignored.
    case unknownKey(String, file: String)
    /// The file exists but could not be read (permissions, a folder, too large, …).
    case unreadableFile(path: String, reason: String)
    /// The file is not a JSON object (syntax error, wrong top-level type, …); `reason` is the
    /// decoder's error text.
    case malformedFile(path: String, reason: String)
    /// Two keys are each valid but contradict each other; the message names both keys.
    case inconsistent(String)

    /// The JSON name of the key involved, when the error is about one key.
    public var key: String? {
        switch self {
        case .invalidValue(let key, _, _, _): key
        case .unknownKey(let key, _): key
        case .unreadableFile, .malformedFile, .inconsistent: nil
        }
    }

    /// A one-line message naming the key, where the value came from and the value.
    public var description: String {
        switch self {
        case .invalidValue(let key, let value, let expected, let source):
            switch source {
            case .code:
                "\(key) = \(value): \(key) must be \(expected)"
            case .file(let path):
                "\(path): \(SessionConfigText.quoted(key)): \(value): \(key) must be \(expected)"
            case .environment(let variable):
                "\(variable)=\(SessionConfigText.shellValue(value)): \(key) must be \(expected)"
            }
        case .unknownKey(let key, let file):
            unknownKeyDescription(key, file: file)
        case .unreadableFile(let path, let reason):
            "cannot read session config file \(SessionConfigText.shellValue(path)): \(reason)"
        case .malformedFile(let path, let reason):
            "session config file \(SessionConfigText.shellValue(path)) is not valid: \(reason)"
        case .inconsistent(let message):
            message
        }
    }

    private func unknownKeyDescription(_ key: String, file: String) -> String {
        var message = "\(SessionConfigText.shellValue(file)): unknown key \(SessionConfigText.quoted(key))"
        if let suggestion = SessionConfigText.nearestKey(to: key) {
            message += " (did you mean \(SessionConfigText.quoted(suggestion))?)"
        }
        return message + "; keys starting with _ are ignored, so use one for comments"
    }
}

extension SessionConfig {
    /// One configuration key, named by its JSON name (its raw value).
    public enum Key: String, Sendable, CaseIterable {
        /// `driver`, `SESSION_DRIVER`.
        case driver
        /// `lifetime`, `SESSION_LIFETIME`.
        case lifetime
        /// `absolute_lifetime`, `SESSION_ABSOLUTE_LIFETIME`.
        case absoluteLifetime = "absolute_lifetime"
        /// `expire_on_close`, `SESSION_EXPIRE_ON_CLOSE`.
        case expireOnClose = "expire_on_close"
        /// `files`, `SESSION_FILES`.
        case files
        /// `files_fsync`, `SESSION_FILES_FSYNC`.
        case filesFsync = "files_fsync"
        /// `lottery`, `SESSION_LOTTERY`.
        case lottery
        /// `cookie`, `SESSION_COOKIE`.
        case cookie
        /// `path`, `SESSION_PATH`.
        case path
        /// `domain`, `SESSION_DOMAIN`.
        case domain
        /// `secure`, `SESSION_SECURE_COOKIE`.
        case secure
        /// `http_only`, `SESSION_HTTP_ONLY`.
        case httpOnly = "http_only"
        /// `same_site`, `SESSION_SAME_SITE`.
        case sameSite = "same_site"
        /// `partitioned`, `SESSION_PARTITIONED_COOKIE`.
        case partitioned
        /// `max_payload_bytes`, `SESSION_MAX_PAYLOAD_BYTES`.
        case maxPayloadBytes = "max_payload_bytes"
        /// `memory_max_sessions`, `SESSION_MEMORY_MAX_SESSIONS`.
        case memoryMaxSessions = "memory_max_sessions"
        /// `touch_interval`, `SESSION_TOUCH_INTERVAL`.
        case touchInterval = "touch_interval"
        /// `gc_min_interval`, `SESSION_GC_MIN_INTERVAL`.
        case gcMinInterval = "gc_min_interval"
        /// `tombstone_lifetime`, `SESSION_TOMBSTONE_LIFETIME`.
        case tombstoneLifetime = "tombstone_lifetime"

        /// The key's name in `config/session.json` (snake_case).
        public var jsonName: String { rawValue }

        /// The environment variable that overrides the key: Laravel's name where Laravel has
        /// one, otherwise `SESSION_` and the upper-cased JSON name.
        public var environmentVariable: String {
            switch self {
            case .secure: "SESSION_SECURE_COOKIE"
            case .partitioned: "SESSION_PARTITIONED_COOKIE"
            default: "SESSION_" + rawValue.uppercased()
            }
        }

        /// What the key takes, as written in error messages after "must be".
        public var expected: String {
            switch self {
            case .driver:
                "a non-empty driver name"
            case .lifetime:
                "a positive whole number of minutes (at most \(SessionConfig.maximumLifetimeMinutes), ten years)"
            case .absoluteLifetime:
                "a whole number of minutes, 0 for none (at most \(SessionConfig.maximumLifetimeMinutes), ten years)"
            case .expireOnClose, .filesFsync, .secure, .httpOnly, .partitioned:
                "true or false"
            case .files:
                "a non-empty folder path without NUL characters"
            case .lottery:
                "two whole numbers [chances, out_of] with 0 <= chances <= out_of and out_of > 0"
            case .cookie:
                "a non-empty RFC 6265 token: no spaces, control characters, non-ASCII characters or any of ( ) < > @ , ; : \\ \" / [ ] ? = { }"
            case .path:
                "a path starting with / without ;, commas or control characters"
            case .domain:
                "a domain without ;, commas, spaces or control characters, or null for none"
            case .sameSite:
                "\"lax\", \"strict\", \"none\" or null for none"
            case .maxPayloadBytes:
                "a positive whole number of bytes"
            case .memoryMaxSessions:
                "a positive whole number of sessions"
            case .touchInterval:
                "a whole number of seconds, 0 for a tenth of the lifetime"
            case .gcMinInterval:
                "a whole number of seconds, 0 or more"
            case .tombstoneLifetime:
                "a whole number of seconds, 0 or more"
            }
        }

        /// What the key's environment variable takes, as written in error messages after "must be".
        public var environmentExpected: String {
            switch self {
            case .expireOnClose, .filesFsync, .secure, .httpOnly, .partitioned:
                "true or false (or 1/0, yes/no, on/off)"
            case .lottery:
                "two whole numbers chances,out_of such as 2,100, with 0 <= chances <= out_of and out_of > 0"
            case .domain:
                "a domain without ;, commas, spaces or control characters, or null or empty for none"
            case .sameSite:
                "lax, strict or none, or null or empty for none"
            default:
                expected
            }
        }
    }

    /// One row of ``keyTable``: a key, its JSON name and its environment variable.
    public struct KeyMapping: Sendable, Equatable {
        /// The key.
        public let key: Key
        /// The key's name in `config/session.json`.
        public let jsonName: String
        /// The environment variable that overrides it.
        public let environmentVariable: String
    }

    /// Every key with its JSON name and environment variable, in declaration order.
    public static let keyTable: [KeyMapping] = Key.allCases.map {
        KeyMapping(key: $0, jsonName: $0.jsonName, environmentVariable: $0.environmentVariable)
    }

    /// The file ``load(file:environment:)`` reads by default, relative to the working directory.
    public static let defaultFile = "config/session.json"

    /// The largest `lifetime` and `absolute_lifetime` accepted: ten years, in minutes.
    public static let maximumLifetimeMinutes = 525_600 * 10

    /// The largest configuration file read, in bytes.
    static let maximumFileBytes = 1 << 20

    /// Loads the configuration: the defaults, then the JSON file at `file` when it exists (a missing
    /// file, or an empty `file`, is fine), then the `SESSION_*` variables in `environment` (see
    /// ``keyTable``), then ``validate()``.
    ///
    /// - Throws: ``SessionConfigError`` naming the file, key and value when the file cannot be read,
    ///   is not a JSON object, has an unknown key or a bad value, when a variable holds a bad value,
    ///   or when the result is inconsistent.
    public static func load(
        file: String = SessionConfig.defaultFile,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SessionConfigError) -> SessionConfig {
        var config = SessionConfig()
        if !file.isEmpty, let bytes = try readFile(file) {
            try config.apply(json: bytes, file: file)
        }
        try config.apply(environment: environment)
        try config.validate()
        return config
    }

    /// Decodes a configuration from the bytes of a JSON object: the defaults, then the object's
    /// keys, then ``validate()``. `file` names the source in error messages.
    public static func decode(json: [UInt8], file: String = "<json>") throws(SessionConfigError) -> SessionConfig {
        var config = SessionConfig()
        try config.apply(json: json, file: file)
        try config.validate()
        return config
    }

    /// Sets the keys present in the JSON object `json` (the bytes of a file; `file` names it in
    /// errors), leaving the others as they are.
    ///
    /// Each value must have its key's JSON type and pass its key's own check; the checks that
    /// involve two keys are left to ``validate()``. Keys starting with `_` are ignored.
    public mutating func apply(json: [UInt8], file: String) throws(SessionConfigError) {
        let members: [String: SessionValue]
        do {
            members = try JSONDecoder().decode([String: SessionValue].self, from: Data(json))
        } catch {
            let reason = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            throw .malformedFile(path: file, reason: reason)
        }
        for name in members.keys.sorted() where !name.hasPrefix("_") && Key(rawValue: name) == nil {
            throw .unknownKey(name, file: file)
        }
        for key in Key.allCases {
            guard let value = members[key.jsonName] else { continue }
            try set(key, json: value, file: file)
        }
    }

    /// Sets the keys whose environment variable (see ``keyTable``) is present in `environment`,
    /// leaving the others as they are.
    ///
    /// Booleans take true/false, 1/0, yes/no or on/off, in any case; `SESSION_LOTTERY` takes
    /// `chances,out_of` such as `2,100`; `SESSION_DOMAIN` and `SESSION_SAME_SITE` take `null` or
    /// an empty value for none. Each value must pass its key's own check; the checks that involve
    /// two keys are left to ``validate()``.
    public mutating func apply(environment: [String: String]) throws(SessionConfigError) {
        for key in Key.allCases {
            guard let raw = environment[key.environmentVariable] else { continue }
            try set(key, environment: raw)
        }
    }

    /// Checks every key and the keys that depend on each other.
    ///
    /// - Throws: ``SessionConfigError/invalidValue(key:value:expected:source:)`` for a key out of
    ///   its range, or ``SessionConfigError/inconsistent(_:)`` when `same_site` none or
    ///   `partitioned` lacks `secure`, or `touch_interval` is not below the lifetime.
    public func validate() throws(SessionConfigError) {
        for key in Key.allCases where !isValid(key) {
            throw .invalidValue(key: key.jsonName, value: rendered(key), expected: key.expected, source: .code)
        }
        if sameSite == SameSite.none && !secure {
            throw .inconsistent(
                "same_site none (SESSION_SAME_SITE) requires secure true (SESSION_SECURE_COOKIE): "
                    + "browsers reject a SameSite=None cookie that is not Secure")
        }
        if partitioned && !secure {
            throw .inconsistent(
                "partitioned true (SESSION_PARTITIONED_COOKIE) requires secure true (SESSION_SECURE_COOKIE): "
                    + "browsers reject a Partitioned cookie that is not Secure")
        }
        if touchInterval > 0 && touchInterval >= lifetime * 60 {
            throw .inconsistent(
                "touch_interval (SESSION_TOUCH_INTERVAL) = \(touchInterval) seconds must be less than "
                    + "lifetime (SESSION_LIFETIME) = \(lifetime) minutes (\(lifetime * 60) seconds), "
                    + "or 0 for a tenth of the lifetime")
        }
    }

    // MARK: - Setting one key

    private mutating func set(_ key: Key, json value: SessionValue, file: String) throws(SessionConfigError) {
        let invalid = SessionConfigError.invalidValue(
            key: key.jsonName, value: SessionConfigText.json(value), expected: key.expected, source: .file(file))
        func int() throws(SessionConfigError) -> Int {
            guard case .int(let number) = value else { throw invalid }
            return number
        }
        func bool() throws(SessionConfigError) -> Bool {
            guard case .bool(let flag) = value else { throw invalid }
            return flag
        }
        func string() throws(SessionConfigError) -> String {
            guard case .string(let text) = value else { throw invalid }
            return text
        }
        switch key {
        case .driver: driver = try string()
        case .lifetime: lifetime = try int()
        case .absoluteLifetime: absoluteLifetime = try int()
        case .expireOnClose: expireOnClose = try bool()
        case .files: files = try string()
        case .filesFsync: filesFsync = try bool()
        case .lottery:
            guard case .array(let items) = value, items.count == 2,
                case .int(let chances) = items[0], case .int(let outOf) = items[1]
            else { throw invalid }
            lottery = Lottery(chances: chances, outOf: outOf)
        case .cookie: cookie = try string()
        case .path: path = try string()
        case .domain:
            if case .null = value { domain = nil } else { domain = try string() }
        case .secure: secure = try bool()
        case .httpOnly: httpOnly = try bool()
        case .sameSite:
            if case .null = value {
                sameSite = nil
            } else {
                guard let parsed = SameSite(rawValue: try string().lowercased()) else { throw invalid }
                sameSite = parsed
            }
        case .partitioned: partitioned = try bool()
        case .maxPayloadBytes: maxPayloadBytes = try int()
        case .memoryMaxSessions: memoryMaxSessions = try int()
        case .touchInterval: touchInterval = try int()
        case .gcMinInterval: gcMinInterval = try int()
        case .tombstoneLifetime: tombstoneLifetime = try int()
        }
        guard isValid(key) else { throw invalid }
    }

    private mutating func set(_ key: Key, environment raw: String) throws(SessionConfigError) {
        let invalid = SessionConfigError.invalidValue(
            key: key.jsonName, value: raw, expected: key.environmentExpected,
            source: .environment(key.environmentVariable))
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        func int() throws(SessionConfigError) -> Int {
            guard let number = Int(trimmed) else { throw invalid }
            return number
        }
        func bool() throws(SessionConfigError) -> Bool {
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw invalid
            }
        }
        switch key {
        case .driver: driver = raw
        case .lifetime: lifetime = try int()
        case .absoluteLifetime: absoluteLifetime = try int()
        case .expireOnClose: expireOnClose = try bool()
        case .files: files = raw
        case .filesFsync: filesFsync = try bool()
        case .lottery:
            let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2,
                let chances = Int(parts[0].trimmingCharacters(in: .whitespaces)),
                let outOf = Int(parts[1].trimmingCharacters(in: .whitespaces))
            else { throw invalid }
            lottery = Lottery(chances: chances, outOf: outOf)
        case .cookie: cookie = raw
        case .path: path = raw
        case .domain:
            domain = raw.isEmpty || raw.lowercased() == "null" ? nil : raw
        case .secure: secure = try bool()
        case .httpOnly: httpOnly = try bool()
        case .sameSite:
            let lowered = trimmed.lowercased()
            if lowered.isEmpty || lowered == "null" {
                sameSite = nil
            } else {
                guard let parsed = SameSite(rawValue: lowered) else { throw invalid }
                sameSite = parsed
            }
        case .partitioned: partitioned = try bool()
        case .maxPayloadBytes: maxPayloadBytes = try int()
        case .memoryMaxSessions: memoryMaxSessions = try int()
        case .touchInterval: touchInterval = try int()
        case .gcMinInterval: gcMinInterval = try int()
        case .tombstoneLifetime: tombstoneLifetime = try int()
        }
        guard isValid(key) else { throw invalid }
    }

    // MARK: - Checking one key

    /// Whether `key`'s current value passes the key's own check (not the checks across keys).
    func isValid(_ key: Key) -> Bool {
        switch key {
        case .driver: !driver.isEmpty
        case .lifetime: (1...Self.maximumLifetimeMinutes).contains(lifetime)
        case .absoluteLifetime: (0...Self.maximumLifetimeMinutes).contains(absoluteLifetime)
        case .files: !files.isEmpty && !files.unicodeScalars.contains("\u{0}")
        case .lottery: lottery.chances >= 0 && lottery.outOf > 0 && lottery.chances <= lottery.outOf
        case .cookie: Self.isToken(cookie)
        case .path:
            path.hasPrefix("/")
                && !path.unicodeScalars.contains { $0 == ";" || $0 == "," || Self.isControl($0) }
        case .domain:
            domain.map { domain in
                !domain.isEmpty
                    && !domain.unicodeScalars.contains {
                        $0 == ";" || $0 == "," || $0.properties.isWhitespace || Self.isControl($0)
                    }
            } ?? true
        case .expireOnClose, .filesFsync, .secure, .httpOnly, .sameSite, .partitioned: true
        case .maxPayloadBytes: maxPayloadBytes > 0
        case .memoryMaxSessions: memoryMaxSessions > 0
        case .touchInterval: touchInterval >= 0
        case .gcMinInterval: gcMinInterval >= 0
        case .tombstoneLifetime: tombstoneLifetime >= 0
        }
    }

    /// `key`'s current value, written as in JSON.
    func rendered(_ key: Key) -> String {
        switch key {
        case .driver: SessionConfigText.quoted(driver)
        case .lifetime: String(lifetime)
        case .absoluteLifetime: String(absoluteLifetime)
        case .expireOnClose: String(expireOnClose)
        case .files: SessionConfigText.quoted(files)
        case .filesFsync: String(filesFsync)
        case .lottery: "[\(lottery.chances), \(lottery.outOf)]"
        case .cookie: SessionConfigText.quoted(cookie)
        case .path: SessionConfigText.quoted(path)
        case .domain: domain.map(SessionConfigText.quoted) ?? "null"
        case .secure: String(secure)
        case .httpOnly: String(httpOnly)
        case .sameSite: sameSite.map { SessionConfigText.quoted($0.rawValue) } ?? "null"
        case .partitioned: String(partitioned)
        case .maxPayloadBytes: String(maxPayloadBytes)
        case .memoryMaxSessions: String(memoryMaxSessions)
        case .touchInterval: String(touchInterval)
        case .gcMinInterval: String(gcMinInterval)
        case .tombstoneLifetime: String(tombstoneLifetime)
        }
    }

    /// Whether `name` is an RFC 6265 cookie-name: an RFC 2616 token (visible ASCII, no separators).
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                (0x21...0x7E).contains(scalar.value) && !"()<>@,;:\\\"/[]?={}".unicodeScalars.contains(scalar)
            }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    // MARK: - Reading the file

    /// The file's bytes, or nil when it does not exist.
    static func readFile(_ path: String) throws(SessionConfigError) -> [UInt8]? {
        guard !path.unicodeScalars.contains("\u{0}") else {
            throw .unreadableFile(path: path, reason: "the path contains a NUL character")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadableFile(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(code)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumFileBytes {
                throw .unreadableFile(path: path, reason: "the file is larger than \(maximumFileBytes) bytes")
            }
        }
    }
}

// MARK: - Message text

/// Helpers that write values into error messages.
enum SessionConfigText {
    /// `text` as a JSON string: quoted, with quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.properties.generalCategory == .control
                    || scalar.properties.generalCategory == .format
                    || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator
                {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// `value` written as compact JSON (object keys sorted), cut to about 120 characters.
    static func json(_ value: SessionValue) -> String {
        let full = written(value)
        return full.count > 120 ? String(full.prefix(120)) + "…" : full
    }

    private static func written(_ value: SessionValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): quoted(text)
        case .array(let items): "[" + items.map(written).joined(separator: ", ") + "]"
        case .dictionary(let members):
            "{" + members.sorted { $0.key < $1.key }.map { quoted($0.key) + ": " + written($0.value) }
                .joined(separator: ", ") + "}"
        // JSONDecoder never gives these two: SessionValue decodes them as strings.
        case .data, .date: quoted(String(describing: value))
        }
    }

    /// `text` as is when it is non-empty visible ASCII without quotes or backslashes, else ``quoted(_:)``.
    static func shellValue(_ text: String) -> String {
        let plain = !text.isEmpty
            && text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }
        return plain ? text : quoted(text)
    }

    /// The known JSON key closest to `key` (at most two edits away), if any.
    static func nearestKey(to key: String) -> String? {
        let candidates = SessionConfig.Key.allCases.map { ($0.jsonName, editDistance($0.jsonName, key.lowercased())) }
        guard let best = candidates.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars), b = Array(rhs.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
