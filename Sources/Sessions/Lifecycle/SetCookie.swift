import Foundation

/// Builds the session's `Set-Cookie` header values from the configuration.
struct SetCookie {
    let config: SessionConfig

    /// The cookie that carries `id`, expiring with the idle lifetime counted from `now` (or at
    /// browser close with `expire_on_close`).
    func session(_ id: SessionIdentifier, now: Date) -> String {
        var value = "\(config.cookie)=\(id)"
        if !config.expireOnClose {
            let maxAge = Int64(config.lifetime) * 60
            value += "; Max-Age=\(maxAge); Expires=\(CookieDate.cachedFormat(secondsSince1970: Int64(now.timeIntervalSince1970) + maxAge))"
        }
        return value + attributes
    }

    /// A cookie that makes the browser drop the session cookie.
    func clearing() -> String {
        "\(config.cookie)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + attributes
    }

    private var attributes: String {
        var text = "; Path=\(config.path)"
        if let domain = config.domain { text += "; Domain=\(domain)" }
        if config.secure { text += "; Secure" }
        if config.httpOnly { text += "; HttpOnly" }
        if let sameSite = config.sameSite { text += "; SameSite=\(sameSite.attributeValue)" }
        if config.partitioned { text += "; Partitioned" }
        return text
    }
}
