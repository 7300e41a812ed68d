extension SessionConfig {
    /// The settings ``load(file:environment:)`` reads and checks at once: the core's, then the
    /// built-in drivers' (`memory`, `file`). Other drivers' settings are read at boot.
    public static let builtInSettings: [SessionSettingDeclaration] =
        Settings.all + MemorySessionDriver.settings.map(\.declaration) + FileSessionDriver.settings.map(\.declaration)

    /// ``builtInSettings`` by key.
    static let builtInSettingsByKey = Dictionary(builtInSettings.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

    /// ``validate()``, then the checks that need every declared setting: `drivers` are the
    /// registered drivers' settings. Every key set in code or present in the file must be
    /// declared by the core, a built-in driver or one of them; their values read from the file or
    /// the environment must be valid; and no key may be declared twice in different ways.
    func validate(drivers: [SessionSettingDeclaration]) throws(SessionConfigError) {
        let declared = try Self.index(Self.builtInSettings + drivers)
        try validate()
        let keys = declared.keys.sorted()
        for key in entries.keys.sorted() where declared[key] == nil {
            throw .unknownKey(key, source: .code, suggestion: SettingText.nearest(to: key, in: keys))
        }
        for key in unclaimed.members.keys.sorted() where declared[key] == nil {
            throw .unknownKey(key, source: .file(unclaimed.file), suggestion: SettingText.nearest(to: key, in: keys))
        }
        for declaration in drivers where entries[declaration.key] == nil {
            _ = try unclaimed.value(of: declaration)
        }
    }

    /// The declarations by key.
    /// - Throws: ``SessionConfigError/invalidDeclaration(key:reason:)`` for a key that is not
    ///   lower-case snake case, or declared twice in different ways.
    static func index(_ declarations: [SessionSettingDeclaration]) throws(SessionConfigError) -> [String: SessionSettingDeclaration] {
        var index: [String: SessionSettingDeclaration] = [:]
        for declaration in declarations {
            let key = declaration.key
            guard let first = key.unicodeScalars.first, ("a"..."z").contains(first),
                key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            else {
                throw .invalidDeclaration(key: key, reason: "a key is lower-case letters, digits and _, starting with a letter")
            }
            if let earlier = index[key] {
                guard earlier.matches(declaration) else {
                    throw .invalidDeclaration(
                        key: key, reason: "it is declared twice, with different value types, secrecy or fallback variables")
                }
            } else {
                index[key] = declaration
            }
        }
        return index
    }
}
