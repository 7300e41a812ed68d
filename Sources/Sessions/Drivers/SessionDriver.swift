/// The contract a session store implements: Goravel's six verbs plus `touch`, and the verbs of
/// the capabilities it declares.
///
/// A driver stores opaque bytes and their ``SessionMetadata`` under a validated
/// ``SessionIdentifier``, and expires each session at its own deadline
/// (``SessionMetadata/expiresAt``), compared with the driver's clock. It knows nothing about
/// flash data, tokens or cookies.
///
/// Rules every driver follows (the ``SessionsConformance`` suite checks them):
/// - `read` of a missing or expired ID returns nil, not an error; it returns the metadata as
///   written (times to the microsecond).
/// - `write` replaces the payload and the metadata; a reader sees the old ones or the new
///   ones, never a mix.
/// - `destroy` of a missing ID succeeds.
/// - `gc` removes what has expired and returns how many sessions it removed.
/// - `touch` moves the deadline of an existing session without rewriting its payload, and never
///   recreates a missing one.
///
/// Beyond these, a driver declares what else it can do in ``capabilities`` and implements
/// those verbs: ``SessionDriverCapabilities/conditionalWrites`` (merge at save: overlapping
/// requests lose nothing, and a logout is never undone) and
/// ``SessionDriverCapabilities/sessionLocks`` (blocking routes). A driver without conditional
/// writes is last-writer-wins when two requests of one session overlap; the manager reports it
/// once, when it builds the driver.
///
/// ```swift
/// struct MyDriver: SessionDriver {
///     func read(_ id: SessionIdentifier) async throws -> StoredSession? { … }
///     func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws { … }
///     func destroy(_ id: SessionIdentifier) async throws { … }
///     func gc() async throws -> Int { … }
/// }
/// ```
/// A driver that wraps another conforms to ``SessionDriverWrapper`` and keeps its capabilities.
public protocol SessionDriver: Sendable {
    /// What the driver can do beyond the basic verbs. Default: nothing.
    var capabilities: SessionDriverCapabilities { get }
    /// Prepares the store (creates a folder, opens a connection). Called once, before first use.
    func open() async throws
    /// The payload and metadata stored under `id`, or nil when it is missing or expired.
    func read(_ id: SessionIdentifier) async throws -> StoredSession?
    /// Stores `payload` and `metadata` under `id`, replacing what was there.
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws
    /// Stores `payload` and `metadata` under `id` only if the live session stored there has version
    /// `expected`, or, when `expected` is nil, only if no live session is stored there. Called
    /// only when ``capabilities`` has ``SessionDriverCapabilities/conditionalWrites``.
    ///
    /// Every write gives the stored session a new ``StoredSession/version`` (never reused for
    /// the same ID while the driver runs; drivers shared across processes draw it at random).
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?) async throws -> ConditionalWrite
    /// Removes `id`; succeeds when it is already gone.
    func destroy(_ id: SessionIdentifier) async throws
    /// Removes expired sessions and returns how many it removed.
    func gc() async throws -> Int
    /// Releases the store's resources (connections, handles) at shutdown.
    func close() async throws
    /// Moves the deadline of an existing session to `metadata`'s ``SessionMetadata/expiresAt``
    /// without rewriting its payload. The other fields are those of the last write (a session
    /// that changes them writes), so a driver may keep what it stored. Returns false, and
    /// creates nothing, when the session is missing or expired.
    @discardableResult
    func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool
    /// Waits at most `wait` for the lock on `id`, then holds it until ``SessionLock/release()``
    /// or until `lease` has passed (so a stuck request cannot block its session forever). Called
    /// only when ``capabilities`` has ``SessionDriverCapabilities/sessionLocks``.
    /// - Throws: ``SessionError/lockTimeout(waited:)`` when `wait` passes first.
    func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock
}

extension SessionDriver {
    /// Nothing beyond the basic verbs.
    public var capabilities: SessionDriverCapabilities { [] }

    /// Does nothing: most stores need no preparation.
    public func open() async throws {}

    /// Does nothing: most stores hold no resources.
    public func close() async throws {}

    /// Moves the deadline with a read and a rewrite of the same payload, so drivers that implement
    /// only Goravel's six verbs keep working. A missing session is not recreated. A driver with
    /// conditional writes implements `touch` itself: the rewrite gives the session a new version,
    /// so the default would make every touched session conflict with its next save.
    @discardableResult
    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        guard var stored = try await read(id) else { return false }
        stored.metadata.expiresAt = metadata.expiresAt
        try await write(id, payload: stored.payload, metadata: stored.metadata)
        return true
    }

    /// Throws ``SessionError/unsupported(driver:capability:)``: the driver declares no conditional writes.
    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?) async throws -> ConditionalWrite {
        throw SessionError.unsupported(driver: "\(Self.self)", capability: "conditionalWrites")
    }

    /// Throws ``SessionError/unsupported(driver:capability:)``: the driver declares no session locks.
    public func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock {
        throw SessionError.unsupported(driver: "\(Self.self)", capability: "sessionLocks")
    }
}

/// What a driver can do beyond the basic verbs, declared in ``SessionDriver/capabilities``.
public struct SessionDriverCapabilities: OptionSet, Sendable, Hashable {
    /// The capabilities as bits.
    public let rawValue: UInt32

    /// The capabilities whose bits are set in `rawValue`.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Conditional writes (``SessionDriver/write(_:payload:metadata:ifVersion:)``): saves merge instead of
    /// overwriting, and never bring back a destroyed session.
    public static let conditionalWrites = SessionDriverCapabilities(rawValue: 1 << 0)
    /// Per-session locks (``SessionDriver/lock(_:lease:wait:)``) for blocking routes.
    public static let sessionLocks = SessionDriverCapabilities(rawValue: 1 << 1)
    /// Reserved: listing a user's sessions (a later stores issue adds the verb).
    public static let listsUserSessions = SessionDriverCapabilities(rawValue: 1 << 2)
    /// Reserved: removing every session at once (a later stores issue adds the verb).
    public static let removesAllSessions = SessionDriverCapabilities(rawValue: 1 << 3)
}

/// The result of ``SessionDriver/write(_:payload:metadata:ifVersion:)``.
public enum ConditionalWrite: Sendable, Equatable {
    /// Stored; the session now has `version`.
    case written(version: UInt64)
    /// Not stored: the live session has another version (or, for a create, exists).
    case conflict
    /// Not stored: a version was expected but no live session is stored (destroyed or expired).
    case missing
}
