import Foundation

/// Builds the session's `Set-Cookie` header values from the configuration.
struct SetCookie: Sendable {
    let config: SessionConfig
    /// The attributes after the value (`; Path=/; HttpOnly; …`), the same for every cookie.
    private let attributes: String
    /// The idle lifetime in seconds, the cookie's Max-Age.
    private let maxAge: Int64

    init(config: SessionConfig) {
        self.config = config
        var text = "; Path=\(config.path)"
        if let domain = config.domain { text += "; Domain=\(domain)" }
        if config.secure { text += "; Secure" }
        if config.httpOnly { text += "; HttpOnly" }
        if let sameSite = config.sameSite { text += "; SameSite=\(sameSite.attributeValue)" }
        if config.partitioned { text += "; Partitioned" }
        attributes = text
        maxAge = Int64(config.lifetime) * 60
    }

    /// The cookie that carries `id`, expiring with the idle lifetime counted from `now` (or at
    /// browser close with `expire_on_close`).
    func session(_ id: SessionIdentifier, now: Date) -> String {
        // Appended piece by piece into one buffer: sent with every new session.
        var value = config.cookie
        value.reserveCapacity(value.utf8.count + SessionIdentifier.length + 70 + attributes.utf8.count)
        value += "="
        value += id.description
        if !config.expireOnClose {
            value += "; Max-Age="
            value += String(maxAge)
            value += "; Expires="
            value += CookieDate.cachedFormat(secondsSince1970: Int64(now.timeIntervalSince1970) + maxAge)
        }
        value += attributes
        return value
    }

    /// A cookie that makes the browser drop the session cookie.
    func clearing() -> String {
        "\(config.cookie)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + attributes
    }
}
