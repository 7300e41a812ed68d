/// What the cookie settings may hold, so that no value can add an attribute or a header line to
/// `Set-Cookie`.
enum CookieSyntax {
    /// Whether `name` is an RFC 6265 cookie-name: an RFC 2616 token (visible ASCII, no separators).
    @Sendable static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                (0x21...0x7E).contains(scalar.value) && !"()<>@,;:\\\"/[]?={}".unicodeScalars.contains(scalar)
            }
    }

    /// Whether `path` starts with `/` and holds no `;`, comma or control character.
    @Sendable static func isPath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.unicodeScalars.contains { $0 == ";" || $0 == "," || isControl($0) }
    }

    /// Whether `domain` is non-empty and holds no `;`, comma, space or control character.
    @Sendable static func isDomain(_ domain: String) -> Bool {
        !domain.isEmpty
            && !domain.unicodeScalars.contains { $0 == ";" || $0 == "," || $0.properties.isWhitespace || isControl($0) }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }
}
