/// What a driver's `read` returns: the opaque payload, the metadata written with it, and its
/// version for conditional writes.
public struct StoredSession: Sendable, Equatable {
    /// The bytes last written under the ID.
    public var payload: [UInt8]
    /// The metadata of the last write, with the deadline of the last write or touch.
    public var metadata: SessionMetadata
    /// The version of this payload for conditional writes
    /// (``SessionDriverCapabilities/conditionalWrites``); 0 from drivers without versions. A
    /// touch does not change it.
    public var version: UInt64

    /// Creates a record.
    public init(payload: [UInt8], metadata: SessionMetadata, version: UInt64 = 0) {
        self.payload = payload
        self.metadata = metadata
        self.version = version
    }
}
