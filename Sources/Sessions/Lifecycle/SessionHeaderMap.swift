/// Request headers set from session values, for the handlers after it and for an upstream the
/// request is proxied to (an API gateway's `MapSessionToHeader`): what each adapter's
/// `MapSessionToHeaderMiddleware` applies.
///
/// ```swift
/// let map = try SessionHeaderMap(["X-User-Id": "user_id"])
/// let fields = map.fields(for: session)   // [X-User-Id: 42], or [] without the key
/// ```
///
/// The adapter strips every client copy of the mapped headers first, always, so a client cannot
/// forge `X-User-Id`. A value is written as ``Session/headerValue(_:forHeader:)`` says; a
/// missing or null key sets no header, and a value a header may not hold is refused and
/// reported (``SessionEvent/headerValueRefused(header:key:)``).
public struct SessionHeaderMap: Sendable {
    /// The headers set, each from its session key, in order.
    public let mappings: [(header: String, key: String)]

    /// A map setting each header of `mappings` from its session key.
    /// - Parameter mappings: header name → session key: `["X-User-Id": "user_id"]`.
    /// - Throws: ``MapSessionToHeaderError`` for a name that is no valid header field name.
    public init(_ mappings: KeyValuePairs<String, String>) throws(MapSessionToHeaderError) {
        var checked: [(header: String, key: String)] = []
        for (header, key) in mappings {
            guard CookieSyntax.isToken(header) else { throw .invalidHeaderName(header) }
            checked.append((header, key))
        }
        self.mappings = checked
    }

    /// The header fields to set for `session`, in the order of ``mappings``: none for a request
    /// without a session.
    public func fields(for session: Session?) -> [HeaderField] {
        guard let session else { return [] }
        return mappings.compactMap { header, key in
            session.headerValue(key, forHeader: header).map { HeaderField(name: header, value: $0) }
        }
    }
}

/// Why a ``SessionHeaderMap`` (or a `MapSessionToHeaderMiddleware`) could not be made.
public enum MapSessionToHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is no HTTP field name (a token: letters, digits and ``!#$%&'*+-.^_`|~``).
    case invalidHeaderName(String)

    public var description: String {
        switch self {
        case .invalidHeaderName(let name): "\(name.debugDescription) is not a valid HTTP header name"
        }
    }
}
