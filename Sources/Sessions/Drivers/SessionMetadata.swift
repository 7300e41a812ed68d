import Foundation

/// What a store keeps beside a session's payload, given with every write and touch and returned
/// by every read: when the session expires, when it began and whose it is.
///
/// The session computes these; a driver stores them and expires the session at ``expiresAt``,
/// compared with its clock (``SessionDriverContext/clock``), never with a database's own time.
/// Times may be stored to the microsecond.
///
/// ```swift
/// let metadata = SessionMetadata(expiresAt: now.addingTimeInterval(7200), createdAt: now)
/// try await driver.write(id, payload: bytes, metadata: metadata)
/// ```
public struct SessionMetadata: Sendable, Hashable {
    /// The session's own idle deadline: after it the session is gone. Each write and touch moves it.
    public var expiresAt: Date
    /// When the session was first stored (it keeps this across regenerate).
    public var createdAt: Date
    /// The user the session belongs to, for listing a user's sessions; nil for a guest.
    public var userKey: String?

    /// Metadata with an idle deadline, a creation time and an optional user key.
    public init(expiresAt: Date, createdAt: Date, userKey: String? = nil) {
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.userKey = userKey
    }

    /// Whether the session has expired at `now`: exactly at its deadline it is still live.
    public func isExpired(at now: Date) -> Bool {
        now > expiresAt
    }
}
