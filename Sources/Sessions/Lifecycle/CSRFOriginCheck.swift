/// Where a state-changing request came from, read from the headers browsers set and pages
/// cannot: `Sec-Fetch-Site` (Fetch Metadata) and `Origin`. A second CSRF defence beside the
/// token, as OWASP recommends; off unless a CSRF middleware is given one.
///
/// - `Sec-Fetch-Site: same-origin` or `none` (typed, bookmarked) passes; `same-site` (a sibling
///   subdomain, which can also toss cookies) and `cross-site` fail unless `Origin` is trusted.
/// - Without `Sec-Fetch-Site` (older browsers), an `Origin` passes when its host and port are the
///   request's `Host`, or it is trusted; `Origin: null` (sandboxed frames, some redirects) fails.
/// - A request with neither header (a non-browser client, a very old browser) passes: the
///   token still guards it.
///
/// Behind a proxy that rewrites `Host`, list the public origin in `trustedOrigins`.
///
/// ```swift
/// let check = CSRFOriginCheck(trustedOrigins: ["https://admin.example.com"])
/// check.permits(fetchSite: "cross-site", origin: "https://admin.example.com", host: "example.com") // true
/// ```
public struct CSRFOriginCheck: Sendable, Equatable {
    /// Origins (`scheme://host[:port]`) whose requests pass, compared without ASCII case and
    /// default ports.
    public let trustedOrigins: Set<String>

    /// A check that trusts the request's own host and `trustedOrigins`.
    /// - Parameter trustedOrigins: Other origins allowed to send state-changing requests,
    ///   such as `https://admin.example.com`.
    public init(trustedOrigins: [String] = []) {
        self.trustedOrigins = Set(trustedOrigins.compactMap { Self.normalized(origin: $0) })
    }

    /// Whether a request with these header values may change state.
    /// - Parameters:
    ///   - fetchSite: The `Sec-Fetch-Site` value, if any.
    ///   - origin: The `Origin` value, if any.
    ///   - host: The request's `Host` (HTTP/2's `:authority`), if any.
    public func permits(fetchSite: String?, origin: String?, host: String?) -> Bool {
        let normalizedOrigin = origin.flatMap { Self.normalized(origin: $0) }
        if let normalizedOrigin, trustedOrigins.contains(normalizedOrigin) { return true }
        if let fetchSite {
            switch fetchSite.lowercased() {
            case "same-origin", "none": return true
            default: return false
            }
        }
        guard origin != nil else { return true }
        // `null` or a value that is no origin fails, as does a request without a host.
        guard let normalizedOrigin, let host, let hostPart = normalizedOrigin.split(separator: "/").last else { return false }
        let scheme = normalizedOrigin.hasPrefix("https:") ? "https" : "http"
        return hostPart == Self.withoutDefaultPort(host.lowercased(), scheme: scheme)
    }

    /// `scheme://host[:port]` in lower case without a default port, or nil for `null` and
    /// anything that is not an http(s) origin.
    static func normalized(origin: String) -> String? {
        let lowered = origin.lowercased()
        for scheme in ["https", "http"] where lowered.hasPrefix(scheme + "://") {
            let hostPart = lowered.dropFirst(scheme.count + 3)
            guard !hostPart.isEmpty, !hostPart.contains("/") else { return nil }
            return scheme + "://" + withoutDefaultPort(String(hostPart), scheme: scheme)
        }
        return nil
    }

    private static func withoutDefaultPort(_ hostPart: String, scheme: String) -> String {
        let defaultPort = scheme == "https" ? ":443" : ":80"
        return hostPart.hasSuffix(defaultPort) ? String(hostPart.dropLast(defaultPort.count)) : hostPart
    }
}
