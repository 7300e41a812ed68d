/// Unpadded base64url (RFC 4648 §5), written by hand: IDs and tokens are made on every new
/// visitor's request, and Foundation's base64 plus character replacement costs several times more.
enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes`, whose count must be a multiple of 3 (IDs and tokens are), without padding.
    static func encode(_ bytes: [UInt8]) -> String {
        let length = bytes.count / 3 * 4
        return String(unsafeUninitializedCapacity: length) { output in
            var out = 0
            var index = 0
            while index + 2 < bytes.count {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                output[out] = alphabet[Int(group >> 18 & 63)]
                output[out + 1] = alphabet[Int(group >> 12 & 63)]
                output[out + 2] = alphabet[Int(group >> 6 & 63)]
                output[out + 3] = alphabet[Int(group & 63)]
                out += 4
                index += 3
            }
            return out
        }
    }

    /// The 6-bit value of a base64url character, or nil.
    @inline(__always)
    static func value(of character: UInt8) -> UInt8? {
        let value = values[Int(character)]
        return value == 0xFF ? nil : value
    }

    /// Decodes exactly `byteCount` bytes (a multiple of 3) from `text`; nil for any other length
    /// or any character outside the alphabet.
    static func decode(_ text: some Collection<UInt8>, byteCount: Int) -> [UInt8]? {
        guard text.count == byteCount / 3 * 4 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(byteCount)
        var group: UInt32 = 0
        var filled = 0
        for character in text {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            group = group << 6 | UInt32(value)
            filled += 1
            if filled == 4 {
                bytes.append(UInt8(truncatingIfNeeded: group >> 16))
                bytes.append(UInt8(truncatingIfNeeded: group >> 8))
                bytes.append(UInt8(truncatingIfNeeded: group))
                group = 0
                filled = 0
            }
        }
        return bytes
    }

    /// `byteCount` random bytes (a multiple of 3) from the system CSPRNG, encoded.
    static func randomString(byteCount: Int) -> String {
        encode(SecureRandom.bytes(byteCount))
    }
}
