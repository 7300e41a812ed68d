/// Where a request's session ID travels: the session cookie, or a request header for API
/// clients (mobile apps, scripts, services), as Fiber's and API gateways' `KeyLookup` say.
///
/// The ``SessionConfig/Settings/lookup`` setting lists them in the order they are tried:
///
/// ```swift
/// config.lookup = [.cookie, .header("X-Session-Id")]   // SESSION_LOOKUP=cookie,header:X-Session-Id
/// ```
///
/// An ID answers in the source it came in: a session whose ID arrived in a header gets its new
/// or rotated ID back in that header and never a `Set-Cookie`; one that arrived in a cookie is
/// never echoed in a header. Query strings are not offered: URLs end up in access logs, browser
/// history and `Referer` headers, and an ID there leaks with them.
public enum SessionIDSource: Sendable, Hashable, CustomStringConvertible {
    /// The session cookie, named by the ``SessionConfig/Settings/cookie`` setting.
    case cookie
    /// The request header of this name (`X-Session-Id`); the response carries new IDs in it.
    case header(String)

    /// As written in the setting: `cookie` or `header:<Name>`.
    public var description: String {
        switch self {
        case .cookie: "cookie"
        case .header(let name): "header:\(name)"
        }
    }

    /// The header's name, or nil for the cookie.
    public var headerName: String? {
        if case .header(let name) = self { return name }
        return nil
    }

    /// The source written as `cookie` or `header:<Name>` (spaces around it ignored), or nil.
    init?(parsing text: Substring) {
        let text = SettingText.trimmed(String(text))
        if text.lowercased() == "cookie" {
            self = .cookie
        } else if text.lowercased().hasPrefix("header:") {
            self = .header(SettingText.trimmed(String(text.dropFirst("header:".count))))
        } else {
            return nil
        }
    }

    /// Header fields no source may name: the cookie's own, and ones the lifecycle writes or
    /// proxies rewrite.
    static let reservedHeaders: Set<String> = ["cookie", "set-cookie", "vary", "cache-control", "host", "content-length"]

    /// Whether `sources` can be a lookup: one or more, the cookie at most once, header names
    /// that are RFC 9110 tokens, not reserved and not repeated (in any case).
    @Sendable static func isValidLookup(_ sources: [SessionIDSource]) -> Bool {
        var seen = Set<String>()
        return !sources.isEmpty
            && sources.allSatisfy { source in
                switch source {
                case .cookie:
                    return seen.insert("\u{0}cookie").inserted
                case .header(let name):
                    let lowered = name.lowercased()
                    return CookieSyntax.isToken(name) && !reservedHeaders.contains(lowered) && seen.insert(lowered).inserted
                }
            }
    }

    /// The `lookup` setting's format: `"cookie,header:X-Session-Id"` in JSON (or an array of
    /// such strings) and in the environment.
    static let lookupFormat = SettingFormat<[SessionIDSource]>(
        expected: "a comma-separated list of sources tried in order, each cookie or header:<Name> (an HTTP token, "
            + "not Cookie, Set-Cookie, Vary, Cache-Control, Host or Content-Length), the cookie at most once and no header twice",
        fromJSON: { value in
            if let text = value.stringValue { return parseLookup(text) }
            guard let items = value.arrayValue else { return nil }
            var sources: [SessionIDSource] = []
            for item in items {
                guard let text = item.stringValue, let source = SessionIDSource(parsing: Substring(text)) else { return nil }
                sources.append(source)
            }
            return sources
        },
        fromEnvironment: parseLookup,
        render: { SettingText.quoted($0.map(\.description).joined(separator: ",")) },
        isValid: isValidLookup
    )

    /// The sources of `cookie,header:X-Session-Id`, or nil when one is neither.
    private static func parseLookup(_ text: String) -> [SessionIDSource]? {
        var sources: [SessionIDSource] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let source = SessionIDSource(parsing: part) else { return nil }
            sources.append(source)
        }
        return sources
    }
}
