import Foundation

/// What a driver's `read` returns: the opaque payload and the metadata the store keeps beside it.
///
/// Session logic derives touch throttling and cookie refresh from `lastActivity`, never from a
/// per-process table, so several app instances sharing one store agree.
public struct StoredSession: Sendable, Equatable {
    /// The bytes last written under the ID.
    public var payload: [UInt8]
    /// When the session was last written or touched: its idle expiry is this plus the lifetime.
    public var lastActivity: Date
    /// The version of this payload for conditional writes (``SessionDriverCapabilities/conditionalWrites``); 0 from
    /// drivers without versions. A touch does not change it.
    public var version: UInt64

    /// Creates a record.
    public init(payload: [UInt8], lastActivity: Date, version: UInt64 = 0) {
        self.payload = payload
        self.lastActivity = lastActivity
        self.version = version
    }
}
