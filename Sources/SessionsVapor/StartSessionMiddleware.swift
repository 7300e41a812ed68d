#if Vapor
public import Sessions
import SessionsLogging
public import Vapor

/// Starts a session for each request on the routes it is added to, saves it after the handler,
/// and writes `Set-Cookie` (Laravel's `StartSession` middleware). Handlers reach the session as
/// `req.managedSession`, beside Vapor's own `req.session`, which it does not touch.
///
/// ```swift
/// let account = app.grouped(StartSessionMiddleware(manager: sessions))
/// account.get("counter") { req in "count: \(try req.managedSession.increment("count"))" }
/// ```
///
/// Routes outside the group never start a session or send a cookie.
///
/// - A response with status ≥ 500 (or an error that is not an `AbortError`) saves nothing and
///   sends no cookie; so does a request marked with ``Sessions/Session/discard()``. An
///   `AbortError` below 500 (a 404 thrown by a handler, say) is turned into the response
///   Vapor's `ErrorMiddleware` would give, and the session is saved as usual.
/// - If the store fails while loading or saving, the request ends with a 500 and a log line on
///   the request's logger; the line never contains the session ID. A store that cannot be
///   reached (``Sessions/SessionError/unavailable(reason:)``) gets `503 Service Unavailable`
///   with `Retry-After: 5` instead, so clients and load balancers retry. An `onFailure` handler
///   answers in their place (see ``Sessions/SessionFailure``).
/// - With `ageFlashData: false` flash data is left for the next page: use it on API or XHR
///   groups, so a background fetch does not eat the message the next page was meant to show.
/// - With `blocking` (Laravel's `block`), requests of one session on these routes run one at a
///   time; a request that waits longer than `blocking.wait` for its turn is answered
///   `503 Service Unavailable` with `Retry-After: 1`.
/// - The ID is looked for where the `lookup` setting says (the cookie by default), or where the
///   `lookup:` given here says; a session whose ID came in a header gets a new ID back in that
///   header, never a cookie (see ``Sessions/SessionIDSource``).
/// - Requests `skip` picks (a health check, static files) go on without a session.
/// - A session the app attached before this middleware (``Sessions/SessionSlot/attach(_:)`` on
///   `req.sessionSlot`) is used instead of one from the request, and saved and answered for the
///   same way; it is not locked on a blocking route.
public struct StartSessionMiddleware: AsyncMiddleware {
    /// Answers a request whose session work failed, in place of the default 503 or 500.
    public typealias FailureHandler = @Sendable (SessionFailure, Request) async throws -> Response
    /// Picks the requests that go on without a session.
    public typealias SkipPredicate = @Sendable (Request) -> Bool

    /// The lifecycle the middleware runs.
    public let lifecycle: SessionLifecycle
    /// Whether flash data ages on this middleware's routes.
    public let ageFlashData: Bool
    /// Whether requests of one session run one at a time on these routes.
    public let blocking: SessionLifecycle.Blocking?
    /// Picks the requests that go on without a session, or nil for none.
    public let skip: SkipPredicate?
    /// Answers store failures in place of the default, or nil for the default.
    public let onFailure: FailureHandler?

    /// A middleware for `manager`'s sessions on `driver` (the configured default when nil),
    /// finding IDs where the `lookup` setting says.
    /// - Parameters:
    ///   - ageFlashData: Whether flash data ages on these routes (false for API and XHR routes).
    ///   - blocking: Run requests of one session one at a time on these routes.
    ///   - skip: Requests to leave without a session: `{ $0.url.path == "/health" }`.
    ///   - onFailure: Shapes the answer to a failed load, lock or save.
    public init(
        manager: SessionManager, driver: String? = nil, ageFlashData: Bool = true, blocking: SessionLifecycle.Blocking? = nil,
        skip: SkipPredicate? = nil, onFailure: FailureHandler? = nil
    ) {
        let lifecycle = SessionLifecycle(manager: manager, driver: driver)
        self.init(lifecycle: lifecycle, ageFlashData: ageFlashData, blocking: blocking, skip: skip, onFailure: onFailure)
    }

    /// A middleware whose routes find IDs in `lookup` instead of where the `lookup` setting says.
    ///
    /// ```swift
    /// let api = app.grouped("api")
    ///     .grouped(try StartSessionMiddleware(manager: sessions, lookup: [.header("X-Session-Id")], ageFlashData: false))
    /// ```
    /// - Throws: ``Sessions/SessionConfigError`` for a lookup the setting would refuse.
    public init(
        manager: SessionManager, driver: String? = nil, lookup: [SessionIDSource], ageFlashData: Bool = true,
        blocking: SessionLifecycle.Blocking? = nil, skip: SkipPredicate? = nil, onFailure: FailureHandler? = nil
    ) throws(SessionConfigError) {
        let lifecycle = try SessionLifecycle(manager: manager, driver: driver, lookup: lookup)
        self.init(lifecycle: lifecycle, ageFlashData: ageFlashData, blocking: blocking, skip: skip, onFailure: onFailure)
    }

    private init(
        lifecycle: SessionLifecycle, ageFlashData: Bool, blocking: SessionLifecycle.Blocking?, skip: SkipPredicate?,
        onFailure: FailureHandler?
    ) {
        self.lifecycle = lifecycle
        self.ageFlashData = ageFlashData
        self.blocking = blocking
        self.skip = skip
        self.onFailure = onFailure
    }

    /// Runs the async `respond(to:chainingTo:)` on the request's event loop, where
    /// `AsyncMiddleware`'s default would hop to the global concurrency pool and back.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        EventLoopTaskExecutor.respond(to: request, chainingTo: next, with: self)
    }

    /// Starts the request's session, runs the route, saves the session and adds its cookie and
    /// headers to the response.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let skip, skip(request) { return try await next.respond(to: request) }
        let slot = request.sessionSlot
        // Nested in another of these middlewares: that one runs the session.
        if slot.isStartedByAnotherMiddleware { return try await next.respond(to: request) }
        return try await SessionLogging.$requestLogger.withValue(request.logger) {
            let started: SessionLifecycle.StartedSession
            if let attached = slot.session {
                started = lifecycle.start(attaching: attached)
            } else {
                do {
                    let fields = request.headers.map { HeaderField(name: $0.name, value: $0.value) }
                    started = try await lifecycle.start(headers: fields, blocking: blocking)
                } catch {
                    let stage: SessionFailure.Stage = if case SessionError.lockTimeout = error { .lock } else { .load }
                    return try await answer(SessionFailure(stage: stage, error: error), request)
                }
            }

            request.sessionSlot.started(started)
            let response: Response
            do {
                response = try await next.respond(to: request)
            } catch let error as any AbortError where error.status.code < 500 {
                response = try await Self.errorResponse(for: error, to: request)
            } catch {
                await lifecycle.abandon(started)
                throw error
            }

            let appCacheControl = response.headers.first(name: .cacheControl)
            let answer: SessionResponse
            do {
                answer = try await lifecycle.finish(
                    started, status: Int(response.status.code), responseCacheControl: appCacheControl, agingFlashData: ageFlashData)
            } catch {
                return try await self.answer(SessionFailure(stage: .save, error: error), request)
            }
            for field in answer.fields {
                // The ID's header and Cache-Control replace the response's own; Vary and Set-Cookie add to it.
                if field.name == "Vary" || field.name == "Set-Cookie" {
                    response.headers.add(name: field.name, value: field.value)
                } else {
                    response.headers.replaceOrAdd(name: field.name, value: field.value)
                }
            }
            return response
        }
    }

    /// The response Vapor's `ErrorMiddleware` gives for `error` (its status, headers and JSON
    /// reason), so the session of a request answered with a 4xx is saved like any other.
    private static func errorResponse(for error: any Error, to request: Request) async throws -> Response {
        try await ErrorMiddleware.default(environment: request.application.environment)
            .respond(to: request, chainingTo: Rethrowing(error: error)).get()
    }

    /// Logs `failure` on the request's logger (never with the session ID) and answers it:
    /// with ``onFailure`` when set, else ``defaultResponse(for:)``.
    private func answer(_ failure: SessionFailure, _ request: Request) async throws -> Response {
        SessionLogging.log(failure, to: request.logger)
        if let onFailure { return try await onFailure(failure, request) }
        return Self.defaultResponse(for: failure)
    }

    /// The answer without an ``onFailure`` handler: 503 with `Retry-After` for a transient
    /// failure (an unreachable store: 5 s; a lock timeout: 1 s), 500 otherwise, with no body.
    public static func defaultResponse(for failure: SessionFailure) -> Response {
        guard failure.isTransient else { return Response(status: .internalServerError) }
        var headers = HTTPHeaders()
        if let seconds = failure.retryAfter { headers.replaceOrAdd(name: .retryAfter, value: String(seconds)) }
        return Response(status: .serviceUnavailable, headers: headers)
    }
}

/// A responder that throws the error it holds: hands a caught error to `ErrorMiddleware`.
private struct Rethrowing: Responder {
    let error: any Error

    func respond(to request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeFailedFuture(error)
    }
}
#endif
