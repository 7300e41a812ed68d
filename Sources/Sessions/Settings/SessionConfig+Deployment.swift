extension SessionConfig {
    /// A warning for an app that listens on `host` with this configuration, or nil: cookies
    /// without `Secure` are fine on a loopback address (plain-http development) and a risk
    /// anywhere else. Integrations log it at start.
    ///
    /// ```swift
    /// if let warning = config.deploymentWarning(listeningOn: "0.0.0.0") { logger.warning("\(warning)") }
    /// ```
    public func deploymentWarning(listeningOn host: String) -> String? {
        guard !secure, !Self.isLoopback(host) else { return nil }
        return "session cookies go out without Secure while the app listens on \(host): "
            + "set secure to true (\(Settings.secure.environmentVariable)=true) and serve the site over https"
    }

    /// Whether `host` names only this machine: `localhost`, 127.0.0.0/8 or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
