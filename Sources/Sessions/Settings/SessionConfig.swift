/// The session configuration, with Laravel's keys (snake_case in `config/session.json`).
///
/// Build it in code, or load it with ``load(file:environment:)``: `config/session.json` when
/// present, then `SESSION_*` environment variables on top. Each setting is declared once in
/// ``Settings`` (drivers declare theirs the same way); the manager checks the whole
/// configuration, however it was built, before it uses it, and a bad value throws a
/// ``SessionConfigError`` naming the key and the value.
///
/// ```swift
/// var config = try SessionConfig.load()
/// config.lifetime = .seconds(30 * 60)
/// config[FileSessionDriver.folderSetting] = "/var/lib/app/sessions"   // a driver's setting
/// ```
public struct SessionConfig: Sendable, Equatable {
    /// The values set in code, or read from the file or the environment, by key.
    var entries: [String: SettingEntry] = [:]
    /// What ``load(file:environment:)`` read that no built-in setting claims: kept for the
    /// settings of drivers registered later, which the manager reads and checks at boot.
    var unclaimed = UnclaimedInput()

    /// The configuration with every default.
    public init() {}

    /// The value of any setting, the core's or a driver's: set in code, else read from the
    /// environment or the file, else the setting's default.
    ///
    /// A driver's setting that was read from the file or the environment but is not valid
    /// reads as its default here; the manager's checks (``SessionManager/open(drivers:)``) report it.
    public subscript<Value>(setting: SessionSetting<Value>) -> Value {
        get {
            if let entry = entries[setting.key], let value = entry.value as? Value { return value }
            // Core settings were read from the file and the environment at load: only a driver's
            // setting can still be waiting in the unclaimed input.
            if !unclaimed.isEmpty, Settings.byKey[setting.key] == nil,
                let value = (try? unclaimed.value(of: setting.declaration)) as? Value
            {
                return value
            }
            return setting.defaultValue
        }
        set {
            entries[setting.key] = SettingEntry(value: newValue, declaration: setting.declaration)
        }
    }

    /// Whether both configurations give every setting the same value (a value set to its
    /// default equals one left unset) and keep the same file keys for drivers' settings.
    public static func == (lhs: SessionConfig, rhs: SessionConfig) -> Bool {
        func sameValues(_ one: SessionConfig, _ other: SessionConfig) -> Bool {
            one.entries.allSatisfy { key, entry in
                entry.holds(other.entries[key]?.value ?? entry.declaration.defaultValue)
            }
        }
        return lhs.unclaimed == rhs.unclaimed && sameValues(lhs, rhs) && sameValues(rhs, lhs)
    }
}

/// A value a configuration holds, with the declaration that reads, checks and shows it.
struct SettingEntry: Sendable {
    var value: SettingValue
    var declaration: SessionSettingDeclaration

    /// Whether `other` is this entry's value.
    func holds(_ other: SettingValue) -> Bool {
        func equals<Value: Equatable>(_ value: Value) -> Bool { (other as? Value) == value }
        return equals(value)
    }
}

/// The part of a loaded file and environment that no built-in setting claims.
struct UnclaimedInput: Sendable, Equatable {
    /// The file the members came from.
    var file = ""
    /// The file's members whose keys no built-in setting declares.
    var members: [String: SessionValue] = [:]
    /// The environment at load, for drivers' `SESSION_*` and fallback variables. Not compared:
    /// two configurations are equal when they hold the same values.
    var environment: [String: String] = [:]

    var isEmpty: Bool { members.isEmpty && environment.isEmpty }

    /// The value this input gives `declaration`: its environment variable, else its fallback,
    /// else the file's member; nil when none is set.
    func value(of declaration: SessionSettingDeclaration) throws(SessionConfigError) -> SettingValue? {
        if let value = try declaration.read(environment: environment) { return value }
        return try members[declaration.key].map { json throws(SessionConfigError) in
            try declaration.read(json: json, file: file)
        }
    }

    static func == (lhs: UnclaimedInput, rhs: UnclaimedInput) -> Bool {
        lhs.members == rhs.members
    }
}

extension SessionConfig: CustomStringConvertible, CustomReflectable {
    /// Every setting the configuration holds a value for, written as in JSON, secrets redacted;
    /// keys kept for drivers' settings are named without their values.
    public var description: String {
        "SessionConfig(" + shownValues.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }

    /// The same values as ``description``, so `dump(config)` shows no secret either.
    public var customMirror: Mirror {
        Mirror(self, children: shownValues.map { (label: $0.key, value: $0.value as Any) }, displayStyle: .struct)
    }

    private var shownValues: [(key: String, value: String)] {
        var shown: [(key: String, value: String)] = []
        var seen = Set<String>()
        for declaration in Settings.all {
            seen.insert(declaration.key)
            shown.append((declaration.key, declaration.shown(entries[declaration.key]?.value ?? declaration.defaultValue)))
        }
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
            shown.append((key, entry.declaration.shown(entry.value)))
        }
        let kept = unclaimed.members.keys.filter { !$0.hasPrefix("_") }.sorted()
        if !kept.isEmpty { shown.append(("kept for drivers", kept.joined(separator: ", "))) }
        return shown
    }
}
