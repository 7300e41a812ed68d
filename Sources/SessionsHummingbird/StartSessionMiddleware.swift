#if Hummingbird
import HTTPTypes
public import Hummingbird
import Logging
public import Sessions
import SessionsLogging

/// The header field every session response that sends an ID without a `Cache-Control` carries,
/// built (and validated) once.
private let noStore = HTTPField(name: .cacheControl, value: "no-store")

/// Starts a session for each request on the routes it is added to, saves it after the handler,
/// and writes `Set-Cookie` (Laravel's `StartSession` middleware).
///
/// ```swift
/// let account = router.group("account").add(middleware: StartSessionMiddleware(manager: sessions))
/// account.get("counter") { _, context in "count: \(try context.session.increment("count"))" }
/// ```
///
/// Routes outside the group never start a session or send a cookie.
///
/// - The session is saved before the response head goes out, so `Set-Cookie` is part of it.
/// - A response with status ≥ 500 (or an error that is not an `HTTPResponseError`) saves
///   nothing and sends no cookie; so does a request marked with ``Sessions/Session/discard()``.
///   An `HTTPResponseError` below 500 (a 404 thrown by a handler, say) is turned into its
///   response and the session is saved as usual.
/// - If the store fails while loading or saving, the request ends with a 500 and a log line
///   on the request's logger; the line never contains the session ID. A store that cannot be
///   reached (``Sessions/SessionError/unavailable(reason:)``) gets
///   `503 Service Unavailable` with `Retry-After: 5` instead, so clients and load balancers retry.
///   An `onFailure` handler answers in their place (see ``Sessions/SessionFailure``).
/// - With `ageFlashData: false` flash data is left for the next page: use it on API or XHR
///   groups, so a background fetch does not eat the message the next page was meant to show.
/// - With `blocking` (Laravel's `block`), requests of one session on these routes run one at a
///   time; a request that waits longer than `blocking.wait` for its turn is answered
///   `503 Service Unavailable` with `Retry-After: 1`.
/// - The ID is looked for where the `lookup` setting says (the cookie by default), or where the
///   `lookup:` given here says; a session whose ID came in a header gets a new ID back in that
///   header, never a cookie (see ``Sessions/SessionIDSource``).
/// - Requests `skip` picks (a health check, static files) go on without a session.
/// - A session the app attached before this middleware (``Sessions/SessionSlot/attach(_:)``) is used
///   instead of one from the request, and saved and answered for the same way; it is not locked
///   on a blocking route (it was read before the lock could be taken).
public struct StartSessionMiddleware<Context: StartSessionRequestContext>: RouterMiddleware {
    /// Answers a request whose session work failed, in place of the default 503 or 500.
    public typealias FailureHandler = @Sendable (SessionFailure, Request, Context) async throws -> Response
    /// Picks the requests that go on without a session.
    public typealias SkipPredicate = @Sendable (Request, Context) -> Bool

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
    /// The `Vary` field of every session response, built once.
    private let vary: HTTPField

    /// A middleware for `manager`'s sessions on `driver` (the configured default when nil),
    /// finding IDs where the `lookup` setting says.
    /// - Parameters:
    ///   - ageFlashData: Whether flash data ages on these routes (false for API and XHR routes).
    ///   - blocking: Run requests of one session one at a time on these routes.
    ///   - skip: Requests to leave without a session: `{ request, _ in request.uri.path == "/health" }`.
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
    /// let api = router.group("api")
    ///     .add(middleware: try StartSessionMiddleware(manager: sessions, lookup: [.header("X-Session-Id")], ageFlashData: false))
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
        // The lookup's names are tokens and its joins ", ": always a valid field value.
        self.vary = HTTPField(name: .vary, value: lifecycle.vary)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let skip, skip(request, context) { return try await next(request, context) }
        // Nested in another of these middlewares: that one runs the session.
        if context.sessionSlot.isStartedByAnotherMiddleware { return try await next(request, context) }
        return try await SessionLogging.$requestLogger.withValue(context.logger) {
            let started: SessionLifecycle.StartedSession
            if let attached = context.sessionSlot.session {
                started = lifecycle.start(attaching: attached)
            } else {
                do {
                    let fields = request.headers.map { HeaderField(name: $0.name.canonicalName, value: $0.value) }
                    started = try await lifecycle.start(headers: fields, blocking: blocking)
                } catch {
                    let stage: SessionFailure.Stage = if case SessionError.lockTimeout = error { .lock } else { .load }
                    return try await answer(SessionFailure(stage: stage, error: error), request, context)
                }
            }

            var context = context
            context.sessionSlot.started(started)
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError where error.status.code < 500 {
                response = try error.response(from: request, context: context)
            } catch {
                await lifecycle.abandon(started)
                throw error
            }

            let appCacheControl = response.headers[.cacheControl]
            let answer: SessionResponse
            do {
                answer = try await lifecycle.finish(
                    started, status: response.status.code, responseCacheControl: appCacheControl, agingFlashData: ageFlashData)
            } catch {
                return try await self.answer(SessionFailure(stage: .save, error: error), request, context)
            }
            // The fields of `answer.fields`, with the fixed ones built once.
            response.headers.append(vary)
            if let setCookie = answer.setCookie { response.headers.append(HTTPField(name: .setCookie, value: setCookie)) }
            if let idField = answer.idField, let name = HTTPField.Name(idField.name) {
                response.headers[name] = idField.value
            }
            if let cacheControl = answer.cacheControl {
                if appCacheControl == nil {
                    response.headers.append(noStore)
                } else {
                    response.headers[.cacheControl] = cacheControl
                }
            }
            return response
        }
    }

    /// Logs `failure` on the request's logger (never with the session ID) and answers it:
    /// with ``onFailure`` when set, else ``defaultResponse(for:)``.
    private func answer(_ failure: SessionFailure, _ request: Request, _ context: Context) async throws -> Response {
        SessionLogging.log(failure, to: context.logger)
        if let onFailure { return try await onFailure(failure, request, context) }
        return Self.defaultResponse(for: failure)
    }

    /// The answer without an ``onFailure`` handler: 503 with `Retry-After` for a transient
    /// failure (an unreachable store: 5 s; a lock timeout: 1 s), 500 otherwise, with no body.
    public static func defaultResponse(for failure: SessionFailure) -> Response {
        guard failure.isTransient else { return Response(status: .internalServerError) }
        var headers = HTTPFields()
        if let seconds = failure.retryAfter { headers[.retryAfter] = String(seconds) }
        return Response(status: .serviceUnavailable, headers: headers)
    }
}
#endif
