#if Vapor
import Sessions
public import Vapor

/// Rejects state-changing requests whose CSRF token does not match the session's
/// (Laravel's `VerifyCsrfToken`). Put it after ``StartSessionMiddleware`` in the same group.
///
/// ```swift
/// let web = app.grouped(StartSessionMiddleware(manager: sessions), VerifyCSRFTokenMiddleware())
/// ```
///
/// - GET, HEAD, OPTIONS and TRACE pass.
/// - So does a request whose session ID came in a header (a `lookup` of `header:<Name>`, see
///   ``Sessions/SessionIDSource``): browsers attach no custom header to a cross-site request
///   without the app's CORS consent. A session carried by the cookie on the same route is still
///   checked.
/// - Other methods pass when the `X-CSRF-Token` header, or the `_token` field of a
///   url-encoded or `multipart/form-data` body (file parts never count), equals the session's
///   ``Sessions/Session/token`` (compared in constant time). The body is collected up to
///   ``maximumBodySize`` and stays on the request for the handler (`req.content`).
/// - With an ``originCheck``, a request must also come from the app's own origin or a trusted
///   one, by `Sec-Fetch-Site` and `Origin` (see ``Sessions/CSRFOriginCheck``); it is checked
///   first, and a failure is answered like a wrong token.
/// - Otherwise the answer is 419 (Laravel's "Page Expired") and the request is marked
///   discarded, so the session does not change (flash data included). A form body larger than
///   ``maximumBodySize`` is answered with 413 and discarded the same way.
public struct VerifyCSRFTokenMiddleware: AsyncMiddleware {
    /// The largest form body (url-encoded or multipart) read to find `_token`.
    public let maximumBodySize: Int
    /// The form field that carries the token.
    public let fieldName: String
    /// The header that carries the token (for scripts).
    public let headerName: String
    /// The origin check run before the token's, or nil for the token alone.
    public let originCheck: CSRFOriginCheck?

    /// A CSRF check reading at most `maximumBodySize` bytes of a form body.
    /// - Parameters:
    ///   - maximumBodySize: The largest form body read to find the token.
    ///   - fieldName: The form field that carries the token.
    ///   - headerName: The header that carries the token.
    ///   - originCheck: Also require the request to come from the app's origin or a trusted
    ///     one (`VerifyCSRFTokenMiddleware(originCheck: CSRFOriginCheck())`); off by default.
    public init(
        maximumBodySize: Int = 1 << 20,
        fieldName: String = "_token",
        headerName: String = "X-CSRF-Token",
        originCheck: CSRFOriginCheck? = nil
    ) {
        self.maximumBodySize = maximumBodySize
        self.fieldName = fieldName
        self.headerName = headerName
        self.originCheck = originCheck
    }

    /// The status of a rejected request: 419, as Laravel answers.
    public static var rejectedStatus: HTTPResponseStatus { .custom(code: 419, reasonPhrase: "Page Expired") }

    /// Runs the async `respond(to:chainingTo:)` on the request's event loop, where
    /// `AsyncMiddleware`'s default would hop to the global concurrency pool and back.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        EventLoopTaskExecutor.respond(to: request, chainingTo: next, with: self)
    }

    /// Lets safe methods and exempt requests through, checks the token of the others, and answers
    /// 419 (or 413 for a body over the cap) without running the route when it does not match.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        switch request.method {
        case .GET, .HEAD, .OPTIONS, .TRACE:
            return try await next.respond(to: request)
        default:
            break
        }
        let session = try request.managedSession
        if request.sessionSlot.idSource?.headerName != nil {
            return try await next.respond(to: request)
        }
        let headers = request.headers
        if let originCheck,
            !originCheck.permits(fetchSite: headers.first(name: "Sec-Fetch-Site"), origin: headers.first(name: .origin), host: headers.first(name: .host))
        {
            return reject(session)
        }
        if let header = headers.first(name: headerName), session.validateToken(header) {
            return try await next.respond(to: request)
        }
        let contentType = headers.first(name: .contentType) ?? ""
        let boundary = MultipartForm.boundary(inContentType: contentType)
        if boundary != nil || contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            // `collect` refuses a longer stream, but hands back a body Vapor already read whole
            // whatever its size: that one is measured here.
            let body = try? await request.body.collect(max: maximumBodySize).get() ?? ByteBuffer()
            guard let body, body.readableBytes <= maximumBodySize else {
                session.discard()
                return Response(status: .payloadTooLarge)
            }
            let token = boundary.map { MultipartForm.firstValue(named: fieldName, in: Array(buffer: body), boundary: $0) }
                ?? URLEncodedForm.firstValue(named: fieldName, in: String(buffer: body))
            if let token, session.validateToken(token) {
                return try await next.respond(to: request)
            }
        }
        return reject(session)
    }

    /// Marks the session discarded and answers 419.
    private func reject(_ session: Sessions.Session) -> Response {
        session.discard()
        return Response(status: Self.rejectedStatus)
    }
}
#endif
