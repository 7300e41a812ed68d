import Foundation

extension SessionConfig {
    /// The file ``load(file:environment:)`` reads by default, relative to the working directory.
    public static let defaultFile = "config/session.json"

    /// Loads the configuration: the defaults, then the JSON file at `file` when it exists (a
    /// missing file, or an empty `file`, is fine), then the environment, then ``validate()``.
    ///
    /// The core's and the built-in drivers' settings (``builtInSettings``) are read and checked
    /// here. Other keys in the file, and the environment, are kept for the settings of drivers
    /// registered with ``SessionManager/extend(_:settings:_:)``: the manager reads and checks
    /// them at boot, and there a key that nothing declares is an error. Each setting's variable is
    /// `SESSION_` and its upper-cased key (`SESSION_LIFETIME`), or its fallback variable when that
    /// is unset; the environment wins over the file.
    ///
    /// - Throws: ``SessionConfigError`` naming the file, key and value when the file cannot be read,
    ///   is not a JSON object or has a bad value, when a variable holds a bad value, or when the
    ///   result is inconsistent.
    public static func load(
        file: String = SessionConfig.defaultFile,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SessionConfigError) -> SessionConfig {
        var config = SessionConfig()
        if !file.isEmpty, let bytes = try ConfigFile.bytes(at: file) {
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

    /// Sets the built-in settings present in the JSON object `json` (the bytes of a file; `file`
    /// names it in errors) and keeps its other keys for drivers' settings. Keys starting with `_`
    /// are comments and ignored.
    mutating func apply(json: [UInt8], file: String) throws(SessionConfigError) {
        let members = try ConfigFile.members(of: json, file: file)
        unclaimed.file = file
        for name in members.keys.sorted() where !name.hasPrefix("_") {
            guard let value = members[name] else { continue }
            if let declaration = Self.builtInSettingsByKey[name] {
                entries[name] = SettingEntry(value: try declaration.read(json: value, file: file), declaration: declaration)
            } else {
                unclaimed.members[name] = value
            }
        }
    }

    /// Sets the built-in settings whose variable (or fallback variable) is present in
    /// `environment`, and keeps the environment for drivers' settings.
    mutating func apply(environment: [String: String]) throws(SessionConfigError) {
        for declaration in Self.builtInSettings {
            if let value = try declaration.read(environment: environment) {
                entries[declaration.key] = SettingEntry(value: value, declaration: declaration)
            }
        }
        unclaimed.environment = environment
    }
}
