extension SessionConfig {
    /// Checks every value set in code and the settings that depend on each other.
    ///
    /// The manager runs this when it is made and, with the registered drivers' settings, at
    /// boot (``SessionManager/open(drivers:)``), so a configuration is checked however it was built.
    /// - Throws: ``SessionConfigError/invalidValue(key:value:expected:source:)`` for a value out of
    ///   its range, or ``SessionConfigError/inconsistent(_:)`` when `same_site` none,
    ///   `partitioned` or a `__Secure-` cookie lacks `secure`, a `__Host-` cookie lacks `secure`,
    ///   path `/` or no domain, or `touch_interval` is not below the lifetime.
    public func validate() throws(SessionConfigError) {
        for key in entries.keys.sorted() {
            guard let entry = entries[key] else { continue }
            try entry.declaration.check(entry.value)
        }
        try checkConsistency()
    }

    private func checkConsistency() throws(SessionConfigError) {
        let secureNames = "secure true (\(Settings.secure.environmentVariable))"
        if sameSite == SameSite.none && !secure {
            throw .inconsistent(
                "same_site none (\(Settings.sameSite.environmentVariable)) requires \(secureNames): "
                    + "browsers reject a SameSite=None cookie that is not Secure")
        }
        if partitioned && !secure {
            throw .inconsistent(
                "partitioned true (\(Settings.partitioned.environmentVariable)) requires \(secureNames): "
                    + "browsers reject a Partitioned cookie that is not Secure")
        }
        // Cookie prefixes (RFC 6265bis): browsers drop a prefixed cookie that breaks its rules.
        if cookie.hasPrefix("__Host-"), !secure || path != "/" || domain != nil {
            throw .inconsistent(
                "cookie \(SettingText.quoted(cookie)) (\(Settings.cookie.environmentVariable)) requires \(secureNames), "
                    + "path \"/\" and no domain: browsers reject a __Host- cookie otherwise")
        }
        if cookie.hasPrefix("__Secure-"), !secure {
            throw .inconsistent(
                "cookie \(SettingText.quoted(cookie)) (\(Settings.cookie.environmentVariable)) requires \(secureNames): "
                    + "browsers reject a __Secure- cookie that is not Secure")
        }
        if let touchInterval, touchInterval >= lifetime {
            throw .inconsistent(
                "touch_interval (\(Settings.touchInterval.environmentVariable)) = "
                    + "\(DurationUnit.seconds.render(touchInterval)) seconds must be less than "
                    + "lifetime (\(Settings.lifetime.environmentVariable)) = \(Settings.lifetime.declaration.shown(lifetime)) "
                    + "minutes (\(DurationUnit.seconds.render(lifetime)) seconds), or 0 for a tenth of the lifetime")
        }
    }
}
