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
    /// Where ``StartSessionMiddleware`` leaves the request's session (a
    /// ``Sessions/SessionSlot``). Declare it as `var sessionSlot = SessionSlot()`.
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
#endif
