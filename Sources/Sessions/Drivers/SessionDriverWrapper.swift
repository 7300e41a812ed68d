/// A driver that wraps another (to count, log, cache or encrypt): every verb it does not
/// implement goes to ``inner``, and it keeps ``inner``'s capabilities, so wrapping never loses
/// merge at save or session locks.
///
/// Implement only what the wrapper changes. A wrapper that must not offer one of the inner
/// driver's capabilities says so by implementing ``SessionDriver/capabilities``.
///
/// ```swift
/// struct LoggingDriver: SessionDriverWrapper {
///     let inner: any SessionDriver
///     func write(
///         _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
///     ) async throws -> ConditionalWrite {
///         print("write of \(payload.count) bytes for \(SessionFingerprint(id))")
///         return try await inner.write(id, payload: payload, metadata: metadata, ifVersion: expected)
///     }
/// }
/// ```
public protocol SessionDriverWrapper: SessionDriver {
    /// The driver this one wraps.
    var inner: any SessionDriver { get }
}

extension SessionDriverWrapper {
    /// The inner driver's capabilities.
    public var capabilities: SessionDriverCapabilities { inner.capabilities }
    public func open() async throws { try await inner.open() }
    public func close() async throws { try await inner.close() }
    public func read(_ id: SessionIdentifier) async throws -> StoredSession? { try await inner.read(id) }
    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        try await inner.write(id, payload: payload, metadata: metadata)
    }
    public func write(
        _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
    ) async throws -> ConditionalWrite {
        try await inner.write(id, payload: payload, metadata: metadata, ifVersion: expected)
    }
    public func destroy(_ id: SessionIdentifier) async throws { try await inner.destroy(id) }
    public func gc() async throws -> Int { try await inner.gc() }
    @discardableResult
    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        try await inner.touch(id, metadata: metadata)
    }
    public func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock {
        try await inner.lock(id, lease: lease, wait: wait)
    }
}
