/// A short form of a session's handle (``SessionHandle``, the SHA-256 of its ID), for
/// correlating events in logs without revealing the ID.
///
/// The first 12 hexadecimal digits (48 bits) of the handle: the same in every process and
/// instance, so the logs of several instances agree on which session an event is about, and a
/// database keyed by handle finds it by prefix. It cannot be turned back into the ID.
public struct SessionFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// Twelve hexadecimal digits.
    public let description: String

    /// The fingerprint of `id`.
    public init(_ id: SessionIdentifier) {
        self.init(SessionHandle(id))
    }

    /// The fingerprint of the session whose handle is `handle`.
    public init(_ handle: SessionHandle) {
        description = SessionHandle.hex(handle.bytes.prefix(6))
    }
}
