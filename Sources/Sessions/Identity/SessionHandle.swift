/// A session's stable handle: the SHA-256 of its ID, the same in every process and instance.
///
/// It names a session wherever the ID itself must not appear: stores that keep sessions at rest
/// (file names, database keys), "your devices" lists, logs. A leaked handle cannot be turned
/// back into the ID, nor replayed as a cookie.
///
/// ```swift
/// let handle = SessionHandle(session.id)
/// print(handle)          // 64 lower-case hexadecimal digits
/// ```
public struct SessionHandle: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// The handle of `id`: the SHA-256 of the ID's 32 characters.
    public init(_ id: SessionIdentifier) {
        bytes = SHA256.digest(id.rawValue.utf8)
    }

    /// The digest as 64 lower-case hexadecimal digits.
    public var description: String {
        Self.hex(bytes)
    }

    /// `bytes` as lower-case hexadecimal digits.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
