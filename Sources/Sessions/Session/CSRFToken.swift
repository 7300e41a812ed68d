/// The CSRF secret a session keeps and the masked copies its pages carry.
///
/// A page that echoes a fixed secret beside attacker-chosen text lets BREACH read the secret
/// through HTTP compression. So the session keeps one secret and every form gets a fresh
/// one-time pad with the secret XORed into it (`pad ‖ pad⊕secret`, as Rails and Django do):
/// no two pages carry the same bytes, and every masked copy unmasks to the same secret.
enum CSRFToken {
    /// Random bytes in a secret: 30, 40 base64url characters.
    static let secretByteCount = 30
    /// Characters of a masked token: 80 (pad and masked secret, 60 bytes).
    static let maskedLength = secretByteCount * 2 / 3 * 4

    /// A new secret, in the base64url text the session stores.
    static func newSecret() -> String {
        Base64URL.randomString(byteCount: secretByteCount)
    }

    /// The bytes of a stored secret; nil for text that is not 40 base64url characters (a
    /// payload written by other code), which the session then replaces.
    static func bytes(ofSecret secret: String) -> [UInt8]? {
        Base64URL.decode(secret.utf8, byteCount: secretByteCount)
    }

    /// A fresh masked copy of a secret.
    static func masked(_ secretBytes: [UInt8]) -> String {
        let pad = SecureRandom.bytes(secretByteCount)
        return Base64URL.encode(pad + zip(pad, secretBytes).map { $0 ^ $1 })
    }

    /// Whether `candidate` is a masked copy of the secret or the bare secret (pages rendered
    /// before tokens were masked), compared in constant time.
    static func matches(_ candidate: some StringProtocol, secretBytes: [UInt8]) -> Bool {
        let text = Array(candidate.utf8)
        if let bare = Base64URL.decode(text, byteCount: secretByteCount) {
            return ConstantTime.equals(bare, secretBytes)
        }
        guard let masked = Base64URL.decode(text, byteCount: secretByteCount * 2) else { return false }
        let pad = masked[..<secretByteCount]
        let unmasked = zip(pad, masked[secretByteCount...]).map { $0 ^ $1 }
        return ConstantTime.equals(unmasked, secretBytes)
    }
}

/// Comparison whose running time does not depend on where two secrets first differ.
enum ConstantTime {
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
