#if Vapor
public import Sessions
public import Vapor

/// Sets request headers from session values for the handlers after it and for an upstream the
/// request is proxied to (an API gateway's `MapSessionToHeader`). Put it after
/// ``StartSessionMiddleware`` in the same group.
///
/// ```swift
/// let upstream = app.grouped("upstream")
///     .grouped(StartSessionMiddleware(manager: sessions))
///     .grouped(try MapSessionToHeaderMiddleware(["X-User-Id": "user_id", "Authorization": "authorization"]))
/// ```
///
/// - Client-supplied copies of every mapped header are stripped first, always, even when the
///   session lacks the key or the request has no session: a client cannot forge `X-User-Id`.
/// - A value is written as ``Sessions/Session/headerValue(_:forHeader:)`` says; a missing or
///   null key sets no header. A value a header may not hold (CR, LF, other control characters)
///   is refused: the header is not set, and a
///   ``Sessions/SessionEvent/headerValueRefused(header:key:)`` event reports it.
public struct MapSessionToHeaderMiddleware: AsyncMiddleware {
    /// The headers set, each from its session key, in order.
    public let map: SessionHeaderMap

    /// A middleware setting each header of `mappings` from its session key.
    /// - Parameter mappings: header name → session key: `["X-User-Id": "user_id"]`.
    /// - Throws: ``Sessions/MapSessionToHeaderError`` for a name that is no valid header field name.
    public init(_ mappings: KeyValuePairs<String, String>) throws(MapSessionToHeaderError) {
        map = try SessionHeaderMap(mappings)
    }

    /// Runs the async `respond(to:chainingTo:)` on the request's event loop, where
    /// `AsyncMiddleware`'s default would hop to the global concurrency pool and back.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        EventLoopTaskExecutor.respond(to: request, chainingTo: next, with: self)
    }

    /// Strips the client's copies of the mapped headers and adds the session's values in their place.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        for (header, _) in map.mappings { request.headers.remove(name: header) }
        for field in map.fields(for: request.sessionSlot.session) { request.headers.add(name: field.name, value: field.value) }
        return try await next.respond(to: request)
    }
}
#endif
