/// Holds a request's session once a framework adapter's `StartSessionMiddleware` has started
/// it, or once the app attached one (``attach(_:)``): the same slot in every adapter (a
/// Hummingbird request context's `sessionSlot`, a Vapor request's `sessionSlot`).
public struct SessionSlot: Sendable {
    /// The session, or nil outside the routes of a `StartSessionMiddleware`.
    public private(set) var session: Session?
    /// Where the session's ID travels (``SessionLifecycle/StartedSession/source``), or nil
    /// outside the routes of a `StartSessionMiddleware`.
    public private(set) var idSource: SessionIDSource?
    /// Whether ``session`` was attached by the app and not yet taken up by a middleware.
    package private(set) var isAttached = false

    /// An empty slot, for a context's initial value.
    public init() {}

    /// Attaches a session the app built itself (Goravel's `SetSession`): a middleware of the
    /// app's own that finds the session by other means (an API key, a signed token) attaches it
    /// before `StartSessionMiddleware`, which then uses it instead of one from the request,
    /// saves it and sends its ID. Without that middleware the app's handlers still reach it, and
    /// the app saves it itself (``Session/save()``).
    ///
    /// ```swift
    /// var context = context
    /// context.sessionSlot.attach(try await sessions.buildSession(id: idFromToken))
    /// return try await next(request, context)
    /// ```
    public mutating func attach(_ session: Session) {
        self.session = session
        idSource = nil
        isAttached = true
    }

    /// Whether a middleware finds a session another `StartSessionMiddleware` already runs
    /// (it is nested in that one's routes), so it passes the request through.
    package var isStartedByAnotherMiddleware: Bool { session != nil && !isAttached }

    /// Holds the session a middleware started for the request.
    package mutating func started(_ started: SessionLifecycle.StartedSession) {
        session = started.session
        idSource = started.source
        isAttached = false
    }
}
