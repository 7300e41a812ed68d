/// ID validation: a text is adopted only when it is 32 base64url characters, and an adopted ID
/// re-serialises to exactly the text it came from.
enum IdentifierHarness {
    static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let expected = text.utf8.count == SessionIdentifier.length && text.utf8.allSatisfy(alphabet.contains)
        guard let id = SessionIdentifier(validating: text) else {
            require(!expected, "a well-formed ID was rejected: \(text)")
            return
        }
        require(expected, "a malformed text was adopted: \(text.debugDescription)")
        require(id.rawValue == text, "\(text) re-serialised as \(id.rawValue)")
        require(SessionIdentifier(validating: id.rawValue) == id, "\(text) does not survive a round trip")
        require(!id.description.contains(text), "the description of \(SessionFingerprint(id)) shows the raw ID")
        require(SessionHandle(id) == SessionHandle(id), "the handle of \(text) is not stable")
    }
}
