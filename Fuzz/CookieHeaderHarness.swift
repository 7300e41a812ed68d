/// Cookie-header parsing: any bytes, split into header lines, never crash the scanner; every
/// value it yields that is a valid ID re-serialises to the same text; and a session cookie
/// appended after a `;` is always found, whatever came before it.
enum CookieHeaderHarness {
    static let known = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let headers = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var values: [Substring] = []
        CookieHeader.forEachValue(named: "swift_session", in: headers) { value in
            values.append(value)
            return true
        }
        for value in values {
            // Bytes, not Characters: U+037E (Greek question mark) compares equal to ";" as a Character.
            require(!value.utf8.contains(UInt8(ascii: ";")), "a value holds a separator: \(value.debugDescription)")
            if let id = SessionIdentifier(validating: value) {
                require(id.rawValue == value, "\(value.debugDescription) re-serialised as \(id.rawValue)")
            }
        }
        var found = false
        CookieHeader.forEachValue(named: "swift_session", in: headers + ["\(text); swift_session=\(known)"]) { value in
            if value == known { found = true }
            return !found
        }
        require(found, "the appended session cookie was not found after \(text.debugDescription)")
    }
}
