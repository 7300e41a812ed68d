/// Why a session configuration could not be loaded, or is not valid.
///
/// Every message names the key (its JSON name, and the environment variable when the value came
/// from one) and the rejected value, for example
/// `SESSION_LIFETIME=abc: lifetime must be a whole number of minutes from 1 to 5256000`.
/// Values are shown escaped, so a control character in a bad value cannot forge log lines, and a
/// secret's value is shown as "redacted" (a URL keeps everything but its password).
public enum SessionConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where a rejected value came from.
    public enum Source: Sendable, Equatable {
        /// Set in code (and found by ``SessionConfig/validate()`` or the manager's checks).
        case code
        /// Read from the JSON file at this path.
        case file(String)
        /// Read from this environment variable.
        case environment(String)
    }

    /// A key holds a value it cannot take. `key` is the JSON name; `value` is the value as it was
    /// written (raw for an environment variable, as JSON otherwise; "redacted" for a secret);
    /// `expected` says what the key takes.
    case invalidValue(key: String, value: String, expected: String, source: Source)
    /// A key that no core setting and no registered driver declares. Keys starting with `_`
    /// (such as `_comment`) are ignored, so they can document the file; any other unknown key is
    /// an error, so a typo is never silently ignored. `suggestion` is the closest declared key.
    case unknownKey(String, source: Source, suggestion: String?)
    /// The file exists but could not be read (permissions, a folder, too large, …).
    case unreadableFile(path: String, reason: String)
    /// The file is not a JSON object (syntax error, wrong top-level type, …); `reason` is the
    /// decoder's error text.
    case malformedFile(path: String, reason: String)
    /// Two keys are each valid but contradict each other; the message names both keys.
    case inconsistent(String)
    /// A driver declares a setting badly: a key that is not lower-case snake case, or one that
    /// the core or another driver declares with another type.
    case invalidDeclaration(key: String, reason: String)

    /// The JSON name of the key involved, when the error is about one key.
    public var key: String? {
        switch self {
        case .invalidValue(let key, _, _, _): key
        case .unknownKey(let key, _, _): key
        case .invalidDeclaration(let key, _): key
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
                "\(path): \(SettingText.quoted(key)): \(value): \(key) must be \(expected)"
            case .environment(let variable):
                "\(variable)=\(SettingText.shellValue(value)): \(key) must be \(expected)"
            }
        case .unknownKey(let key, let source, let suggestion):
            unknownKeyDescription(key, source: source, suggestion: suggestion)
        case .unreadableFile(let path, let reason):
            "cannot read session config file \(SettingText.shellValue(path)): \(reason)"
        case .malformedFile(let path, let reason):
            "session config file \(SettingText.shellValue(path)) is not valid: \(reason)"
        case .inconsistent(let message):
            message
        case .invalidDeclaration(let key, let reason):
            "session setting \(SettingText.quoted(key)) is declared badly: \(reason)"
        }
    }

    private func unknownKeyDescription(_ key: String, source: Source, suggestion: String?) -> String {
        var message: String
        switch source {
        case .file(let path): message = "\(SettingText.shellValue(path)): unknown key \(SettingText.quoted(key))"
        case .environment(let variable): message = "\(variable): unknown key \(SettingText.quoted(key))"
        case .code: message = "unknown key \(SettingText.quoted(key)) set in code"
        }
        message += ": no core setting and no registered driver declares it"
        if let suggestion { message += " (did you mean \(SettingText.quoted(suggestion))?)" }
        if case .file = source { message += "; keys starting with _ are ignored, so use one for comments" }
        return message
    }
}
