#if Hummingbird
public import Hummingbird
public import Sessions

/// A request context that ``StartSessionMiddleware`` can start a session in.
///
/// Add one stored property to your context and handlers reach the session as `context.session`:
///
/// ```swift
/// struct AppContext: StartSessionRequestContext {
///     var coreContext: CoreRequestContextStorage
///     var sessionSlot = SessionSlot()
///     init(source: Source) { coreContext = .init(source: source) }
/// }
///
/// router.group("account").add(middleware: StartSessionMiddleware(manager: sessions))
///     .get("me") { request, context in
///         let session = try context.session
///         return session.get("name", default: "stranger")
///     }
/// ```
///
/// The middleware puts the request's ``Sessions/Session`` (a reference) into the slot before it
/// calls the rest of the chain, so it sees everything the handler changed when saving.
///
/// HummingbirdAuth's `SessionRequestContext` and `SessionMiddleware` are a different, simpler
/// session mechanism (a typed value per session in a `PersistDriver`); the names here do not
/// clash with them, so an app can import both.
public protocol StartSessionRequestContext: RequestContext {
    /// Where ``StartSessionMiddleware`` leaves the request's session. Declare it as
    /// `var sessionSlot = SessionSlot()`.
    var sessionSlot: SessionSlot { get set }
}

extension StartSessionRequestContext {
    /// The request's session.
    /// - Throws: a 500 `HTTPError` when the route is not behind ``StartSessionMiddleware``
    ///   (a wiring mistake, logged by Hummingbird).
    public var session: Sessions.Session {
        get throws {
            guard let session = sessionSlot.session else {
                throw HTTPError(.internalServerError, message: "no session: the route is not behind StartSessionMiddleware")
            }
            return session
        }
    }
}

/// Holds the request's session once ``StartSessionMiddleware`` has started it, or once the app
/// attached one (``attach(_:)``).
public struct SessionSlot: Sendable {
    /// The session, or nil outside ``StartSessionMiddleware``'s routes.
    public internal(set) var session: Sessions.Session?
    /// Where the session's ID travels (``Sessions/SessionLifecycle/StartedSession/source``), or
    /// nil outside ``StartSessionMiddleware``'s routes.
    public internal(set) var idSource: SessionIDSource?
    /// Whether ``session`` was attached by the app and not yet taken up by a middleware.
    var isAttached = false

    /// An empty slot, for a context's initial value.
    public init() {}

    /// Attaches a session the app built itself (Goravel's `SetSession`): a middleware of the
    /// app's own that finds the session by other means (an API key, a signed token) attaches it
    /// before ``StartSessionMiddleware``, which then uses it instead of one from the request,
    /// saves it and sends its ID. Without that middleware `context.session` still returns it,
    /// and the app saves it itself (``Sessions/Session/save()``).
    ///
    /// ```swift
    /// var context = context
    /// context.sessionSlot.attach(try await sessions.buildSession(id: idFromToken))
    /// return try await next(request, context)
    /// ```
    public mutating func attach(_ session: Sessions.Session) {
        self.session = session
        idSource = nil
        isAttached = true
    }

    /// Holds the session a middleware started for the request.
    mutating func started(_ started: SessionLifecycle.StartedSession) {
        session = started.session
        idSource = started.source
        isAttached = false
    }
}
#endif
