#if Hummingbird
public import HTTPTypes
public import Hummingbird
import Sessions

/// `Sec-Fetch-Site`, which HTTPTypes has no constant for.
private let fetchSiteField = HTTPField.Name("Sec-Fetch-Site")

/// Rejects state-changing requests whose CSRF token does not match the session's
/// (Laravel's `VerifyCsrfToken`). Put it after ``StartSessionMiddleware`` in the same group.
///
/// ```swift
/// router.group()
///     .add(middleware: StartSessionMiddleware(manager: sessions))
///     .add(middleware: VerifyCSRFTokenMiddleware())
/// ```
///
/// - GET, HEAD, OPTIONS and TRACE pass.
/// - So does a request whose session ID came in a header (a `lookup` of `header:<Name>`, see
///   ``Sessions/SessionIDSource``): browsers attach no custom header to a cross-site request
///   without the app's CORS consent, so another site cannot make one ride on the user's session.
///   A session carried by the cookie on the same route is still checked.
/// - Other methods pass when the `X-CSRF-Token` header, or the `_token` field of a
///   url-encoded or `multipart/form-data` body (an upload form; file parts never count), equals
///   the session's ``Sessions/Session/token`` (compared in constant time). The body is read up
///   to ``maximumBodySize`` and handed on to the handler intact; for larger uploads send the
///   token in the header.
/// - With an ``originCheck``, a request must also come from the app's own origin or a trusted
///   one, by `Sec-Fetch-Site` and `Origin` (see ``Sessions/CSRFOriginCheck``); it is checked
///   first, and a failure is answered like a wrong token.
/// - Otherwise the answer is 419 (Laravel's "Page Expired") and the request is marked
///   discarded, so the session does not change (flash data included). A form body larger than
///   ``maximumBodySize`` is answered with 413 and discarded the same way.
public struct VerifyCSRFTokenMiddleware<Context: StartSessionRequestContext>: RouterMiddleware {
    /// The largest form body (url-encoded or multipart) read to find `_token`.
    public let maximumBodySize: Int
    /// The form field that carries the token.
    public let fieldName: String
    /// The header that carries the token (for scripts); nil when `headerName` was not a valid
    /// field name.
    public let headerName: HTTPField.Name?
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
        self.headerName = HTTPField.Name(headerName)
        self.originCheck = originCheck
    }

    /// The status of a rejected request: 419, as Laravel answers.
    public static var rejectedStatus: HTTPResponse.Status { .init(code: 419, reasonPhrase: "Page Expired") }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.method {
        case .get, .head, .options, .trace:
            return try await next(request, context)
        default:
            break
        }
        let session = try context.session
        if context.sessionSlot.idSource?.headerName != nil {
            return try await next(request, context)
        }
        if let originCheck, !originCheck.permits(fetchSite: fetchSiteField.flatMap { request.headers[$0] }, origin: request.headers[.origin], host: request.head.authority) {
            session.discard()
            return Response(status: Self.rejectedStatus)
        }
        if let headerName, let header = request.headers[headerName], session.validateToken(header) {
            return try await next(request, context)
        }
        var request = request
        let contentType = request.headers[.contentType] ?? ""
        let boundary = MultipartForm.boundary(inContentType: contentType)
        if boundary != nil || contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: maximumBodySize)
            } catch {
                session.discard()
                return Response(status: .contentTooLarge)
            }
            let token = boundary.map { MultipartForm.firstValue(named: fieldName, in: Array(buffer: body), boundary: $0) }
                ?? URLEncodedForm.firstValue(named: fieldName, in: String(buffer: body))
            if let token, session.validateToken(token) {
                return try await next(request, context)
            }
        }
        session.discard()
        return Response(status: Self.rejectedStatus)
    }

}
#endif
