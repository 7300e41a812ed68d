/// One setting, declared once: its JSON key, environment variable, type, default, allowed values,
/// whether it is a secret, and a one-line doc. Loading, environment overrides, checks, error
/// messages and the README's table all come from the declaration.
///
/// The core's settings are ``SessionConfig/Settings``; a driver declares its own the same way and
/// lists them when it is registered:
///
/// ```swift
/// static let table = SessionSetting<String>(
///     "table", default: "sessions",
///     format: .text("an SQL identifier") { $0.allSatisfy { $0.isLetter || $0 == "_" } },
///     summary: "The table that holds the sessions.")
///
/// sessions.extend("database", settings: [table]) { context in
///     DatabaseDriver(table: context[table], lifetime: context.lifetime)
/// }
/// ```
///
/// The environment variable is `SESSION_` and the upper-cased key (`SESSION_TABLE`); a setting
/// may name one fallback variable, read when its own is not set (`DATABASE_URL`).
public struct SessionSetting<Value: Sendable & Equatable>: AnySessionSetting {
    /// The key in `config/session.json`: lower-case letters, digits and `_`, starting with a letter.
    public let key: String
    /// The value when neither the file, the environment nor code sets one.
    public let defaultValue: Value
    /// How the value is written, read and checked.
    public let format: SettingFormat<Value>
    /// Whether the value is never shown: messages, `description` and `dump` say "redacted"
    /// (for a URL, everything but its password is shown).
    public let isSecret: Bool
    /// A variable read when `SESSION_<KEY>` is not set, or nil.
    public let fallbackVariable: String?
    /// What the setting does, in one line (the README's table shows it).
    public let summary: String

    /// Declares a setting.
    /// - Parameters:
    ///   - key: the JSON key; the environment variable is `SESSION_` and the key upper-cased.
    ///   - defaultValue: the value when nothing sets one.
    ///   - format: how the value is written and which values are allowed.
    ///   - secret: whether the value is redacted wherever it would be shown. Default false.
    ///   - fallbackVariable: an environment variable read when `SESSION_<KEY>` is not set.
    ///   - summary: one line saying what the setting does.
    public init(
        _ key: String,
        default defaultValue: Value,
        format: SettingFormat<Value>,
        secret: Bool = false,
        fallbackVariable: String? = nil,
        summary: String
    ) {
        self.key = key
        self.defaultValue = defaultValue
        self.format = format
        self.isSecret = secret
        self.fallbackVariable = fallbackVariable
        self.summary = summary
    }

    /// `SESSION_` and the key, upper-cased.
    public var environmentVariable: String { "SESSION_" + key.uppercased() }

    /// The setting with its value type erased.
    public var declaration: SessionSettingDeclaration {
        SessionSettingDeclaration(self)
    }
}

/// A setting of any value type, as drivers list theirs in ``SessionManager/extend(_:settings:_:)``.
public protocol AnySessionSetting: Sendable {
    /// The setting with its value type erased, as the configuration reads and checks it.
    var declaration: SessionSettingDeclaration { get }
}

/// A setting's value as a configuration holds it: any `Sendable & Equatable` type.
typealias SettingValue = any Sendable & Equatable

/// A ``SessionSetting`` with its value type erased: what the configuration needs to read, check
/// and show a value without knowing its type.
public struct SessionSettingDeclaration: Sendable {
    /// The JSON key.
    public let key: String
    /// `SESSION_` and the upper-cased key.
    let environmentVariable: String
    /// The variable read when ``environmentVariable`` is not set, if any.
    let fallbackVariable: String?
    /// Whether the value is redacted wherever it would be shown.
    let isSecret: Bool
    /// What the setting does, in one line.
    let summary: String
    /// The default value, written as in JSON.
    let renderedDefault: String
    /// What the setting takes, as in error messages.
    let expected: String

    /// The value type, so two declarations of one key can be compared.
    let valueType: ObjectIdentifier
    let defaultValue: SettingValue
    private let environmentExpected: String
    private let fromJSON: @Sendable (SessionValue) -> SettingValue?
    private let fromEnvironment: @Sendable (String) -> SettingValue?
    private let render: @Sendable (SettingValue) -> String
    private let isValid: @Sendable (SettingValue) -> Bool

    init<Value>(_ setting: SessionSetting<Value>) {
        let format = setting.format
        key = setting.key
        environmentVariable = setting.environmentVariable
        fallbackVariable = setting.fallbackVariable
        isSecret = setting.isSecret
        summary = setting.summary
        renderedDefault = format.render(setting.defaultValue)
        expected = format.expected
        valueType = ObjectIdentifier(Value.self)
        defaultValue = setting.defaultValue
        environmentExpected = format.environmentExpected
        fromJSON = { value in format.fromJSON(value).flatMap { format.isValid($0) ? $0 : nil } }
        fromEnvironment = { text in format.fromEnvironment(text).flatMap { format.isValid($0) ? $0 : nil } }
        render = { value in (value as? Value).map(format.render) ?? "?" }
        isValid = { value in (value as? Value).map(format.isValid) ?? false }
    }

    /// The value `json` stands for in the file at `file`.
    /// - Throws: ``SessionConfigError/invalidValue(key:value:expected:source:)`` when it has the
    ///   wrong type or is not allowed.
    func read(json: SessionValue, file: String) throws(SessionConfigError) -> SettingValue {
        guard let value = fromJSON(json) else {
            throw .invalidValue(key: key, value: shown(text: SettingText.json(json)), expected: expected, source: .file(file))
        }
        return value
    }

    /// The value the text of environment variable `variable` stands for.
    /// - Throws: ``SessionConfigError/invalidValue(key:value:expected:source:)`` when it is not allowed.
    func read(environment text: String, variable: String) throws(SessionConfigError) -> SettingValue {
        guard let value = fromEnvironment(text) else {
            throw .invalidValue(key: key, value: shown(text: text), expected: environmentExpected, source: .environment(variable))
        }
        return value
    }

    /// The value of this setting in `environment`: its own variable, else its fallback.
    /// - Returns: nil when neither is set.
    func read(environment: [String: String]) throws(SessionConfigError) -> SettingValue? {
        for variable in [environmentVariable] + (fallbackVariable.map { [$0] } ?? []) {
            if let text = environment[variable] { return try read(environment: text, variable: variable) }
        }
        return nil
    }

    /// Checks a value set in code.
    func check(_ value: SettingValue) throws(SessionConfigError) {
        guard isValid(value) else {
            throw .invalidValue(key: key, value: shown(value), expected: expected, source: .code)
        }
    }

    /// `value` written as in JSON, or redacted for a secret.
    func shown(_ value: SettingValue) -> String {
        shown(text: render(value))
    }

    /// `text` as is, or redacted for a secret.
    private func shown(text: String) -> String {
        isSecret ? SettingText.redacted(text) : text
    }

    /// Whether `other` declares the same setting (one key declared by two drivers).
    func matches(_ other: SessionSettingDeclaration) -> Bool {
        key == other.key && valueType == other.valueType && fallbackVariable == other.fallbackVariable
            && isSecret == other.isSecret
    }
}
