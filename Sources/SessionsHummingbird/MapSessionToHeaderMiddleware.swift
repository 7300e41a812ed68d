#if Hummingbird
import HTTPTypes
public import Hummingbird
public import Sessions

/// Sets request headers from session values for the handlers after it and for an upstream the
/// request is proxied to (an API gateway's `MapSessionToHeader`). Put it after
/// ``StartSessionMiddleware`` in the same group.
///
/// ```swift
/// router.group("upstream")
///     .add(middleware: StartSessionMiddleware(manager: sessions))
///     .add(middleware: try MapSessionToHeaderMiddleware(["X-User-Id": "user_id", "Authorization": "authorization"]))
/// ```
///
/// - Client-supplied copies of every mapped header are stripped first, always, even when the
///   session lacks the key or the request has no session: a client cannot forge `X-User-Id`.
/// - A value is written as ``Sessions/Session/headerValue(_:forHeader:)`` says (strings as they
///   are, numbers and booleans as written, dates in ISO 8601, arrays and dictionaries as JSON);
///   a missing or null key sets no header. A value with a CR, LF or any character a field value
///   may not hold is refused: the header is not set, and a
///   ``Sessions/SessionEvent/headerValueRefused(header:key:)`` event reports it.
public struct MapSessionToHeaderMiddleware<Context: StartSessionRequestContext>: RouterMiddleware {
    /// The headers set, each from its session key, in order.
    public let map: SessionHeaderMap
    /// The mapped headers' names, stripped from every request.
    private let names: [HTTPField.Name]

    /// A middleware setting each header of `mappings` from its session key.
    /// - Parameter mappings: header name → session key: `["X-User-Id": "user_id"]`.
    /// - Throws: ``Sessions/MapSessionToHeaderError`` for a name that is no valid header field name.
    public init(_ mappings: KeyValuePairs<String, String>) throws(MapSessionToHeaderError) {
        map = try SessionHeaderMap(mappings)
        // Every name is a token, which HTTPField.Name accepts.
        names = map.mappings.compactMap { HTTPField.Name($0.header) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        for name in names { head.headerFields[values: name] = [] }
        for field in map.fields(for: context.sessionSlot.session) {
            if let name = HTTPField.Name(field.name) { head.headerFields.append(HTTPField(name: name, value: field.value)) }
        }
        return try await next(Request(head: head, body: request.body), context)
    }
}
#endif
