/// What a finished request adds to its response, and why: made once per request by
/// ``SessionLifecycle/finish(_:status:responseHasCacheControl:agingFlashData:)``.
///
/// ```swift
/// let answer = try await lifecycle.finish(started, status: 200)
/// for field in answer.fields { response.headers.append(field.name, field.value) }
/// ```
public struct SessionResponse: Sendable, Equatable {
    /// Why a cookie goes out, or why none does.
    public enum Reason: Sendable, Equatable {
        /// The session got its first ID or a new one (regenerate, invalidate, an unknown ID).
        case newID
        /// The session's deadline moved: the cookie goes out again with the new expiry.
        case renewed
        /// The request presented a session cookie and no session is stored now: a clearing cookie.
        case cleared
        /// The browser's cookie is still right: none goes out.
        case unchanged
        /// A new session nobody wrote to: nothing stored, no cookie.
        case notStored
        /// Nothing was saved (a status ≥ 500, `discard()`, a retired ID, or a session another
        /// request destroyed meanwhile): no cookie, so the one another response sent stands.
        case notSaved
    }

    /// Why the cookie goes out, or not.
    public let reason: Reason
    /// The `Set-Cookie` value (the session's cookie or a clearing one), or nil when none goes out.
    public let setCookie: String?
    /// Whether `Cache-Control: no-store` is added: a cookie goes out and the response set no
    /// cache policy of its own.
    public let addsNoStore: Bool

    /// The header fields to add, in order: `Vary: Cookie` always, then `Set-Cookie` and
    /// `Cache-Control: no-store` when they go out.
    public var fields: [HeaderField] {
        var fields = [HeaderField(name: "Vary", value: "Cookie")]
        if let setCookie { fields.append(HeaderField(name: "Set-Cookie", value: setCookie)) }
        if addsNoStore { fields.append(HeaderField(name: "Cache-Control", value: "no-store")) }
        return fields
    }

    init(reason: Reason, setCookie: String? = nil, responseHasCacheControl: Bool = false) {
        self.reason = reason
        self.setCookie = setCookie
        self.addsNoStore = setCookie != nil && !responseHasCacheControl
    }
}
