/// A session ID that has passed validation: 192 bits from the system's CSPRNG, written as 32
/// characters of unpadded base64url (`A-Z a-z 0-9 - _`).
///
/// Drivers only ever receive a `SessionIdentifier`, so no store key and no file path can be built
/// from a client-supplied string that has not been checked. Parse untrusted input with
/// ``init(validating:)``; make new IDs with ``random()``.
///
/// The value is held as three 64-bit words: hashing and comparing it never allocates, and a
/// store keyed by it keeps no string per session.
public struct SessionIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The number of characters of an ID's text form.
    public static let length = 32

    private let words: (UInt64, UInt64, UInt64)

    private init(words: (UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// A fresh ID: 24 bytes from the system's cryptographically secure random number generator.
    public static func random() -> SessionIdentifier {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { SecureRandom.fill($0) }
        return SessionIdentifier(words: words)
    }

    /// Parses an ID from untrusted text (a cookie, a header, a job's argument).
    ///
    /// Returns nil unless `text` is exactly 32 base64url characters.
    public init?(validating text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Self.parse(Array(text.utf8))
        guard let parsed else { return nil }
        self.init(words: parsed)
    }

    /// Decodes 32 base64url characters into the three words, or nil. Each word takes 64 of the
    /// 192 bits: characters are consumed 6 bits at a time into a 192-bit accumulator.
    private static func parse(_ characters: some Collection<UInt8>) -> (UInt64, UInt64, UInt64)? {
        guard characters.count == length else { return nil }
        var words: [UInt64] = [0, 0, 0]
        var bit = 0
        for character in characters {
            guard let value = Base64URL.value(of: character) else { return nil }
            // The 6 bits land at stream offset `bit`; they may straddle two words.
            let word = bit >> 6
            let offset = bit & 63
            if offset <= 58 {
                words[word] |= UInt64(value) << UInt64(58 - offset)
            } else {
                words[word] |= UInt64(value) >> UInt64(offset - 58)
                words[word + 1] |= UInt64(value) << UInt64(122 - offset)
            }
            bit += 6
        }
        return (words[0], words[1], words[2])
    }

    /// The 32-character text form, as it travels in cookies and headers.
    public var description: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        for word in [words.0, words.1, words.2] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Base64URL.encode(bytes)
    }

    /// A stable 64-bit number drawn from the ID's random bits, for spreading IDs over shards.
    var shardSeed: UInt64 { words.0 }

    public static func == (lhs: SessionIdentifier, rhs: SessionIdentifier) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
    }

}
