#if Vapor
public import Sessions
public import Vapor

extension Request {
    /// The request's session, started by ``StartSessionMiddleware``. Named apart from Vapor's
    /// own `req.session` (Vapor's `SessionsMiddleware`), so an app can use both; where both
    /// modules are imported, the type is written `Sessions.Session`.
    ///
    /// ```swift
    /// app.grouped(StartSessionMiddleware(manager: sessions)).get("me") { req in
    ///     try req.managedSession.get("name", default: "stranger")
    /// }
    /// ```
    /// - Throws: a 500 `Abort` when the route is not behind ``StartSessionMiddleware`` (a wiring
    ///   mistake, logged by Vapor).
    public var managedSession: Sessions.Session {
        get throws {
            guard let session = sessionSlot.session else {
                throw Abort(.internalServerError, reason: "no session: the route is not behind StartSessionMiddleware")
            }
            return session
        }
    }

    /// Where ``StartSessionMiddleware`` leaves the request's session and where its ID came
    /// from (``Sessions/SessionSlot/idSource``); a middleware of the app's own attaches a session
    /// it found by other means here (``Sessions/SessionSlot/attach(_:)``).
    public var sessionSlot: SessionSlot {
        get { storage[SessionSlotKey.self] ?? SessionSlot() }
        set { storage[SessionSlotKey.self] = newValue }
    }
}

/// The request storage key of ``Vapor/Request/sessionSlot``.
private enum SessionSlotKey: StorageKey {
    typealias Value = SessionSlot
}
#endif
