import Foundation

/// Builds the session's `Set-Cookie` header values from the configuration. The manager makes
/// one; its sessions and lifecycles share it, so the cookie's name is held in one place.
final class SetCookie: Sendable {
    /// The cookie's name.
    let name: String
    let expireOnClose: Bool
    /// The attributes after the value (`; Path=/; HttpOnly; …`), the same for every cookie.
    private let attributes: String
    /// `name=`, before the ID.
    private let namePrefix: String
    /// The configured idle lifetime in whole seconds, the Max-Age of most cookies.
    private let lifetime: Int64
    /// `; Max-Age=<lifetime>; Expires=`, built once for the common case.
    private let lifetimePrefix: String

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
        namePrefix = name + "="
        lifetime = config.lifetime.components.seconds
        lifetimePrefix = "; Max-Age=\(lifetime); Expires="
    }

    /// The cookie that carries `id`, expiring at the session's deadline `expiresAt` (Max-Age
    /// counted from `now`, in whole seconds), or at browser close with `expire_on_close`.
    func session(_ id: SessionIdentifier, expiresAt: Date, now: Date) -> String {
        var expiry = ""
        if !expireOnClose {
            let seconds = Int64(now.timeIntervalSince1970)
            // A millisecond of slack absorbs the rounding of `Date` arithmetic; the cookie never
            // outlives the deadline by more.
            let maxAge = max(0, Int64((expiresAt.timeIntervalSince(now) + 0.001).rounded(.down)))
            let prefix = maxAge == lifetime ? lifetimePrefix : "; Max-Age=\(maxAge); Expires="
            expiry = prefix + CookieDate.cachedFormat(secondsSince1970: seconds + maxAge)
        }
        let length = namePrefix.utf8.count + SessionIdentifier.length + expiry.utf8.count + attributes.utf8.count
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
            append(expiry)
            append(attributes)
            return offset
        }
    }

    /// A cookie that makes the browser drop the session cookie.
    func clearing() -> String {
        "\(name)=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + attributes
    }
}
