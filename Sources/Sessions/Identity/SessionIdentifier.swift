/// A session ID that has passed validation: 192 bits from the system's CSPRNG, written as 32
/// characters of unpadded base64url (`A-Z a-z 0-9 - _`).
///
/// Drivers only ever receive a `SessionIdentifier`, so no store key and no file path can be built
/// from a client-supplied string that has not been checked. Parse untrusted input with
/// ``init(validating:)``; make new IDs with ``random()``.
///
/// The value is held as three 64-bit words: hashing and comparing it never allocates, and a
/// store keyed by it keeps no string per session.
///
/// The ID is a bearer credential, so its `description` (what string interpolation, `print` and
/// loggers show) is redacted to the session's ``SessionFingerprint``; the text itself is
/// ``rawValue``, spelled out where it is really wanted:
///
/// ```swift
/// logger.info("signed in \(session.id)")        // "signed in SessionIdentifier(fingerprint: 3f9a0c…)"
/// let header = session.id.rawValue             // the 32 characters, for a header or a job
/// ```
public struct SessionIdentifier: Hashable, Sendable, RawRepresentable, CustomStringConvertible, CustomReflectable {
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
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self.init(words: parsed)
    }

    /// Parses an ID from untrusted text, as ``init(validating:)`` does.
    public init?(rawValue: String) {
        self.init(validating: rawValue)
    }

    /// Decodes 32 base64url characters into the three words, or nil: 6 bits per character,
    /// most significant first, into a 192-bit stream cut into words of 64 bits.
    private static func parse(_ characters: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64)? {
        guard characters.count == length else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var word: UInt64 = 0
        var filled = 0
        var completed = 0
        for character in characters {
            guard let bits = Base64URL.value(of: character).map(UInt64.init) else { return nil }
            let room = 64 - filled
            if room > 6 {
                word = word << 6 | bits
                filled += 6
                continue
            }
            // The character completes the word; its low bits, if any, start the next one.
            let spill = 6 - room
            word = word << room | bits >> spill
            switch completed {
            case 0: words.0 = word
            case 1: words.1 = word
            default: words.2 = word
            }
            completed += 1
            word = bits & ((1 << spill) - 1)
            filled = spill
        }
        return words
    }

    /// The 32-character text form, as it travels in cookies and headers: the credential itself.
    /// Never log it; ``description`` is the form for logs.
    public var rawValue: String {
        String(unsafeUninitializedCapacity: Self.length) { output in
            writeText(into: output)
            return Self.length
        }
    }

    /// A redacted form naming the session by its fingerprint, safe for logs and error messages.
    public var description: String {
        "SessionIdentifier(fingerprint: \(SessionFingerprint(self)))"
    }

    /// The redacted form's one child, so `dump` and debuggers show no ID either.
    public var customMirror: Mirror {
        Mirror(self, children: ["fingerprint": SessionFingerprint(self).description], displayStyle: .struct)
    }

    /// Writes the text form into the first 32 bytes of `output` (which must have room).
    func writeText(into output: UnsafeMutableBufferPointer<UInt8>) {
        for index in 0..<Self.length {
            let bit = index * 6
            let offset = bit & 63
            let word = self.word(bit >> 6)
            let value = offset <= 58
                ? word >> (58 - offset)
                : word << (offset - 58) | self.word((bit >> 6) + 1) >> (122 - offset)
            output[index] = Base64URL.alphabet[Int(value & 63)]
        }
    }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: words.0
        case 1: words.1
        default: words.2
        }
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
