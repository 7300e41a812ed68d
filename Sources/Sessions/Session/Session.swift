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
    /// The cookie name the session travels under.
    public let name: String
    /// The name of the driver that stores the session.
    public let driverName: String

    let driver: any SessionDriver
    let config: SessionConfig
    let clock: SessionClock
    let report: SessionEventObserver
    let state: Locked<State>

    struct State {
        /// The ID the session has now (after any regenerate).
        var id: SessionIdentifier
        /// An ID to look up at `start()`; adopted only if the store knows it.
        var candidateID: SessionIdentifier?
        /// The ID under which the store holds this session's data, if it does.
        var storedID: SessionIdentifier?
        /// IDs to destroy at the next save (the old ID after regenerate or invalidate).
        var idsToDestroy: [SessionIdentifier] = []
        var envelope: SessionEnvelope
        /// The store's last-activity time at load, for touch throttling.
        var lastActivity: Date?
        var isStarted = false
        var isDirty = false
        var isDiscarded = false
    }

    init(
        name: String,
        id: SessionIdentifier?,
        driverName: String,
        driver: any SessionDriver,
        config: SessionConfig,
        clock: SessionClock,
        report: @escaping SessionEventObserver
    ) {
        self.name = name
        self.driverName = driverName
        self.driver = driver
        self.config = config
        self.clock = clock
        self.report = report
        let now = clock.now
        self.state = Locked(
            State(
                id: .random(),
                candidateID: id,
                envelope: SessionEnvelope(createdAt: now, cookieRenewedAt: now)
            )
        )
    }

    /// The session's current ID. It changes after ``regenerate(destroy:)`` and ``invalidate()``.
    public var id: SessionIdentifier { state.withLock { $0.id } }

    /// Whether ``start()`` has run.
    public var isStarted: Bool { state.withLock { $0.isStarted } }

    /// When the session was first stored; the absolute lifetime counts from here.
    public var createdAt: Date { state.withLock { $0.envelope.createdAt } }

    /// Whether the store holds this session (under its current or its previous ID).
    public var isStored: Bool { state.withLock { $0.storedID != nil } }

    /// Whether this session has changes that the next save writes.
    public var isDirty: Bool { state.withLock { $0.isDirty } }

    func mutate<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try state.withLock { state in
            let result = try body(&state)
            state.isDirty = true
            return result
        }
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
