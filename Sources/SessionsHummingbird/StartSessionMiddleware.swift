#if Hummingbird
import HTTPTypes
public import Hummingbird
import Logging
public import Sessions

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
/// - With `ageFlashData: false` flash data is left for the next page: use it on API or XHR
///   groups, so a background fetch does not eat the message the next page was meant to show.
/// - With `blocking` (Laravel's `block`), requests of one session on these routes run one at a
///   time; a request that waits longer than `blocking.wait` for its turn is answered
///   `503 Service Unavailable` with `Retry-After: 1`.
/// - The ID is looked for where the `lookup` setting says (the cookie by default), or where the
///   `lookup:` given here says; a session whose ID came in a header gets a new ID back in that
///   header, never a cookie (see ``Sessions/SessionIDSource``).
public struct StartSessionMiddleware<Context: StartSessionRequestContext>: RouterMiddleware {
    /// The lifecycle the middleware runs.
    public let lifecycle: SessionLifecycle
    /// Whether flash data ages on this middleware's routes.
    public let ageFlashData: Bool
    /// Whether requests of one session run one at a time on these routes.
    public let blocking: SessionLifecycle.Blocking?
    /// The `Vary` field of every session response, built once.
    private let vary: HTTPField

    /// A middleware for `manager`'s sessions on `driver` (the configured default when nil),
    /// finding IDs where the `lookup` setting says.
    public init(manager: SessionManager, driver: String? = nil, ageFlashData: Bool = true, blocking: SessionLifecycle.Blocking? = nil) {
        self.init(lifecycle: SessionLifecycle(manager: manager, driver: driver), ageFlashData: ageFlashData, blocking: blocking)
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
        blocking: SessionLifecycle.Blocking? = nil
    ) throws(SessionConfigError) {
        let lifecycle = try SessionLifecycle(manager: manager, driver: driver, lookup: lookup)
        self.init(lifecycle: lifecycle, ageFlashData: ageFlashData, blocking: blocking)
    }

    private init(lifecycle: SessionLifecycle, ageFlashData: Bool, blocking: SessionLifecycle.Blocking?) {
        self.lifecycle = lifecycle
        self.ageFlashData = ageFlashData
        self.blocking = blocking
        // The lookup's names are tokens and its joins ", ": always a valid field value.
        self.vary = HTTPField(name: .vary, value: lifecycle.vary)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await SessionLogging.$requestLogger.withValue(context.logger) {
            let started: SessionLifecycle.StartedSession
            do {
                let fields = request.headers.map { HeaderField(name: $0.name.canonicalName, value: $0.value) }
                started = try await lifecycle.start(headers: fields, blocking: blocking)
            } catch SessionError.lockTimeout(let waited) {
                context.logger.notice("the session stayed locked by another request for \(waited)")
                return Response(status: .serviceUnavailable, headers: [.retryAfter: "1"])
            } catch {
                return Self.failure(error, while: "load", logger: context.logger)
            }

            var context = context
            context.sessionSlot.session = started.session
            context.sessionSlot.idSource = started.source
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
                return Self.failure(error, while: "save", logger: context.logger)
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

    /// The response to a store failure: 503 with `Retry-After` when the store is unreachable,
    /// 500 otherwise; logged either way, never with the session ID.
    private static func failure(_ error: any Error, while operation: String, logger: Logger) -> Response {
        if case SessionError.unavailable = error {
            logger.warning("could not \(operation) the session: \(String(describing: error))")
            return Response(status: .serviceUnavailable, headers: [.retryAfter: unavailableRetryAfter])
        }
        logger.error("could not \(operation) the session: \(String(describing: error))")
        return Response(status: .internalServerError)
    }
}

/// Seconds a client is asked to wait before retrying when the store is unreachable.
private let unavailableRetryAfter = "5"
#endif
