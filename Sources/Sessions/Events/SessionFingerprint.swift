/// A short keyed hash of a session ID, for correlating events in logs without revealing the ID.
///
/// The key is drawn at random once per process (Swift's `Hasher` is SipHash keyed by a
/// per-process seed), so a fingerprint cannot be turned back into an ID nor compared across
/// processes.
public struct SessionFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// Eight hexadecimal digits.
    public let description: String

    /// The fingerprint of `id`.
    public init(_ id: SessionIdentifier) {
        var hasher = Hasher()
        hasher.combine(id)
        let value = UInt32(truncatingIfNeeded: hasher.finalize())
        let digits = String(value, radix: 16)
        description = String(repeating: "0", count: 8 - digits.count) + digits
    }
}
