import Foundation

/// Builds the session's `Set-Cookie` header values from the configuration.
struct SetCookie: Sendable {
    /// The cookie's name.
    let name: String
    let expireOnClose: Bool
    /// The attributes after the value (`; Path=/; HttpOnly; …`), the same for every cookie.
    private let attributes: String
    /// `name=`, before the ID.
    private let namePrefix: String
    /// `; Max-Age=…; Expires=`, before the date (empty with `expire_on_close`).
    private let expiryPrefix: String
    /// The idle lifetime in seconds, the cookie's Max-Age.
    private let maxAge: Int64

    init(config: SessionConfig) {
        name = config.cookie
        expireOnClose = config.expireOnClose
        var text = "; Path=\(config.path)"
        if let domain = config.domain { text += "; Domain=\(domain)" }
        if config.secure { text += "; Secure" }
        if config.httpOnly { text += "; HttpOnly" }
        if let sameSite = config.sameSite { text += "; SameSite=\(sameSite.attributeValue)" }
        if config.partitioned { text += "; Partitioned" }
        attributes = text
        maxAge = config.lifetime.components.seconds
        namePrefix = name + "="
        expiryPrefix = expireOnClose ? "" : "; Max-Age=\(maxAge); Expires="
    }

    /// The cookie that carries `id`, expiring with the idle lifetime counted from `now` (or at
    /// browser close with `expire_on_close`).
    func session(_ id: SessionIdentifier, now: Date) -> String {
        let date = expireOnClose ? "" : CookieDate.cachedFormat(secondsSince1970: Int64(now.timeIntervalSince1970) + maxAge)
        let length = namePrefix.utf8.count + SessionIdentifier.length + expiryPrefix.utf8.count + date.utf8.count + attributes.utf8.count
        // Written into one buffer: sent with every new session.
        return String(unsafeUninitializedCapacity: length) { output in
            var offset = 0
            func append(_ text: String) {
                let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: output[offset...]).initialize(fromContentsOf: bytes)
                    return bytes.count
                }
                if let copied {
                    offset += copied
                } else {
                    for byte in text.utf8 {
                        output[offset] = byte
                        offset += 1
                    }
                }
            }
            append(namePrefix)
            id.writeText(into: UnsafeMutableBufferPointer(rebasing: output[offset...]))
            offset += SessionIdentifier.length
            append(expiryPrefix)
            append(date)
            append(attributes)
            return offset
        }
    }

    /// A cookie that makes the browser drop the session cookie.
    func clearing() -> String {
        "\(name)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + attributes
    }
}
