import Foundation

/// One user's session: the data API, flash data, identity and the CSRF token.
///
/// Method names follow Laravel and Goravel (`get`, `put`, `pull`, `forget`, `flash`, `reflash`,
/// `keep`, `regenerate`, `invalidate`, …). Values are any `Codable & Sendable` type and come back
/// as that type; reading a key as the wrong type gives nil.
///
/// ```swift
/// session.put("user_id", 42)
/// session.flash("status", "Task was successful!")
/// let userID: Int? = session.get("user_id")
/// session.regenerate()            // after login: new ID at save, old one destroyed
/// ```
///
/// A `Session` is a reference shared by the middleware and the handler; its methods are safe to
/// call from any task. Changes reach the store at ``save()`` (the middleware calls it after the
/// handler): a brand-new session nobody wrote to is never stored, and a loaded session nobody
/// changed is not rewritten.
///
/// Vapor also exports a type named `Session`; in a file that imports both, write
/// `Sessions.Session`.
public final class Session: Sendable {
    /// The driver and what every session on it shares.
    let shared: ResolvedDriver

    /// The cookie name the session travels under.
    public var name: String { shared.cookie.name }
    /// The name of the driver that stores the session.
    public var driverName: String { shared.name }

    var driver: any SessionDriver { shared.driver }
    /// Whether the driver writes conditionally (merge at save).
    var writesConditionally: Bool { shared.writesConditionally }
    var policy: Policy { shared.policy }
    var clock: SessionClock { shared.clock }
    var report: SessionEventObserver { shared.report }
    /// Queues this process's saves of one session (shared by the manager's sessions).
    var saves: KeyedAsyncLock<SessionIdentifier> { shared.saves }
    let state: Locked<State>

    struct State: Sendable {
        /// The ID the session has now (after any regenerate).
        var id: SessionIdentifier
        /// The ID under which the store holds this session's data, if it does.
        var storedID: SessionIdentifier?
        /// The stored version read or written last (for conditional writes).
        var version: UInt64?
        /// Old IDs to retire at the next save (after regenerate or invalidate).
        var retiring: [Retirement] = []
        /// This request's view: what it loaded with its own changes applied.
        var envelope: SessionEnvelope
        /// This request's changes since it loaded, to re-apply on top of a newer stored state.
        /// Kept only for a session the store holds: a new session's ID has not gone out yet, so no
        /// other writer can meet it at save.
        var operations: [SessionOperation] = []
        /// How many changes were recorded, logged or not: a save compares it to learn whether
        /// more came in while it wrote.
        var changeCount = 0
        /// The deadline the store holds (read at load, or set by this request's save), for
        /// ``Session/expiresAt`` and touch throttling.
        var storedDeadline: Date?
        /// The user the stored session belongs to (``SessionMetadata/userKey``), written back as read.
        var userKey: String?
        var isDirty = false
        var isDiscarded = false
        /// The request presented an ID that was regenerated or invalidated moments ago: it sees
        /// an empty session, writes nothing and sends no cookie.
        var isTombstoned = false
    }

    /// An old ID to take out of service at save: replaced by a tombstone so that requests still
    /// carrying it neither read the new session nor overwrite its cookie.
    struct Retirement: Sendable {
        var id: SessionIdentifier
        /// The version loaded under it; after `regenerate` a write that landed since is carried
        /// over to the new ID before the old one is retired.
        var version: UInt64?
        /// Whether the data moved to the new ID (`regenerate`) rather than being dropped (`invalidate`).
        var carriesData: Bool
    }

    /// What a request's session starts from.
    enum Origin {
        /// Nothing stored: a new session under a fresh ID.
        case fresh
        /// The session the store holds under `id`.
        case stored(SessionIdentifier, StoredSession, SessionEnvelope)
        /// An ID retired moments ago: an empty session that saves nothing and sends no cookie.
        case tombstone(SessionIdentifier)
    }

    /// A started session: what the store held (``Origin``), read at `now`.
    init(_ origin: Origin, on shared: ResolvedDriver, now: Date) {
        self.shared = shared
        var state = State(id: .random(), envelope: SessionEnvelope(createdAt: now, cookieExpiresAt: now))
        switch origin {
        case .fresh:
            startedID = nil
        case .stored(let id, let record, let envelope):
            startedID = id
            state.id = id
            state.storedID = id
            state.version = record.version
            state.storedDeadline = record.metadata.expiresAt
            state.userKey = record.metadata.userKey
            state.envelope = envelope
        case .tombstone(let id):
            startedID = id
            state.id = id
            state.isTombstoned = true
        }
        self.state = Locked(state)
    }

    /// The session's current ID. It changes after ``regenerate(destroy:)`` and ``invalidate()``.
    public var id: SessionIdentifier { state.withLock { $0.id } }

    /// Whether the request began without a stored session (Fiber's `Fresh`): no cookie, or one
    /// the store did not know. It stays so for the whole request, whatever is saved.
    public var isNew: Bool { startedID == nil || state.withLock { $0.isTombstoned } }

    /// The ID the request presented and the session was started under; nil for a new session.
    let startedID: SessionIdentifier?

    /// When the session was first stored; the absolute lifetime counts from here.
    public var createdAt: Date { state.withLock { $0.envelope.createdAt } }

    /// Whether the store holds this session (under its current or its previous ID).
    public var isStored: Bool { state.withLock { $0.storedID != nil } }

    /// Whether this session has changes that the next save writes.
    public var isDirty: Bool { state.withLock { $0.isDirty } }

    /// What a session needs of the configuration, as plain numbers: a `SessionConfig` holds
    /// strings, and copying it into every request's session would retain each of them.
    struct Policy: Sendable {
        /// The configured idle lifetime in seconds, for sessions without their own.
        var lifetime: Double
        /// Seconds after which an unchanged session is touched and its cookie renewed.
        var touchInterval: Double
        var expireOnClose: Bool
        var maxPayloadBytes: Int
        /// Seconds after its creation at which a session ends, if set.
        var absoluteLifetime: Double?
        /// Seconds a retired ID's tombstone stands; 0 destroys retired IDs at once.
        var tombstoneLifetime: Double

        init(_ config: SessionConfig) {
            lifetime = config.lifetime.secondsValue
            touchInterval = config.effectiveTouchInterval.secondsValue
            expireOnClose = config.expireOnClose
            maxPayloadBytes = config.maxPayloadBytes
            absoluteLifetime = config.absoluteLifetime?.secondsValue
            tombstoneLifetime = config.tombstoneLifetime.secondsValue
        }
    }

    /// Applies `operation` to this request's view and records it for the save.
    func record(_ operation: SessionOperation) {
        state.withLock { state in Self.record(operation, in: &state) }
    }

    static func record(_ operation: SessionOperation, in state: inout State) {
        operation.apply(to: &state.envelope)
        if state.storedID != nil { state.operations.append(operation) }
        state.changeCount += 1
        state.isDirty = true
    }

    func read<Result>(_ body: (State) throws -> Result) rethrows -> Result {
        try state.withLock { try body($0) }
    }
}

extension Session {
    /// Marks this request's changes as not to be saved: the lifecycle then writes nothing,
    /// touches nothing and sends no cookie. The CSRF check does this when it rejects a request.
    public func discard() {
        state.withLock { $0.isDiscarded = true }
    }

    /// Whether ``discard()`` was called.
    public var isDiscarded: Bool { state.withLock { $0.isDiscarded } }
}
