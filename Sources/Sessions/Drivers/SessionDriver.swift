/// The contract a session store implements: Goravel's six verbs plus `touch`.
///
/// A driver stores opaque bytes under a validated ``SessionIdentifier`` and expires them after
/// the idle lifetime it was built with (``SessionDriverContext/lifetime``). It knows nothing
/// about flash data, tokens or cookies.
///
/// Rules every driver follows (the ``SessionsConformance`` suite checks them):
/// - `read` of a missing or expired ID returns nil, not an error.
/// - `write` replaces the payload and renews the idle expiry; a reader sees the old payload or the
///   new one, never a mix.
/// - `destroy` of a missing ID succeeds.
/// - `gc` removes what has expired and returns how many sessions it removed.
/// - `touch` renews the idle expiry of an existing session without rewriting it, and never
///   recreates a missing one.
///
/// A driver that implements only these verbs gives last-writer-wins semantics when two requests
/// of one session overlap.
///
/// ```swift
/// struct CountingDriver: SessionDriver {
///     let inner: any SessionDriver
///     func read(_ id: SessionIdentifier) async throws -> StoredSession? { try await inner.read(id) }
///     func write(_ id: SessionIdentifier, payload: [UInt8]) async throws { try await inner.write(id, payload: payload) }
///     func destroy(_ id: SessionIdentifier) async throws { try await inner.destroy(id) }
///     func gc() async throws -> Int { try await inner.gc() }
/// }
/// ```
public protocol SessionDriver: Sendable {
    /// Prepares the store (creates a folder, opens a connection). Called once, before first use.
    func open() async throws
    /// The payload and metadata stored under `id`, or nil when it is missing or expired.
    func read(_ id: SessionIdentifier) async throws -> StoredSession?
    /// Stores `payload` under `id` and renews its idle expiry.
    func write(_ id: SessionIdentifier, payload: [UInt8]) async throws
    /// Removes `id`; succeeds when it is already gone.
    func destroy(_ id: SessionIdentifier) async throws
    /// Removes expired sessions and returns how many it removed.
    func gc() async throws -> Int
    /// Releases the store's resources (connections, handles) at shutdown.
    func close() async throws
    /// Renews the idle expiry of an existing session without rewriting its payload.
    /// Returns false, and creates nothing, when the session is missing or expired.
    @discardableResult
    func touch(_ id: SessionIdentifier) async throws -> Bool
}

extension SessionDriver {
    /// Does nothing: most stores need no preparation.
    public func open() async throws {}

    /// Does nothing: most stores hold no resources.
    public func close() async throws {}

    /// Renews the expiry with a read and a rewrite of the same payload, so drivers that implement
    /// only Goravel's six verbs keep working. A missing session is not recreated.
    @discardableResult
    public func touch(_ id: SessionIdentifier) async throws -> Bool {
        guard let stored = try await read(id) else { return false }
        try await write(id, payload: stored.payload)
        return true
    }
}
