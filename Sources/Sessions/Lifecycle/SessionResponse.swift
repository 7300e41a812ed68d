import Foundation

/// What a finished request adds to its response, and why: made once per request by
/// ``SessionLifecycle/finish(_:status:responseCacheControl:agingFlashData:)``.
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

    /// What carries the session's ID back to the client.
    enum Credential: Sendable, Equatable {
        /// A `Set-Cookie` value: the session's cookie or a clearing one.
        case cookie(String)
        /// The lookup's header with the new ID, for a client that sent its ID in that header.
        case header(HeaderField)
    }

    /// Why the cookie (or the ID header) goes out, or not.
    public let reason: Reason
    /// The `Set-Cookie` value (the session's cookie or a clearing one), or nil when none goes out.
    public let setCookie: String?
    /// The header field with a new ID for a client that sent its ID in a header
    /// (`X-Session-Id: …`), or nil when none goes out.
    public let idField: HeaderField?
    /// The `Cache-Control` value the response must carry, replacing any it set, or nil to leave
    /// the response's own: set whenever a cookie or an ID goes out and the response's policy
    /// would let a shared cache store it (none, or one without `private` or `no-store`).
    public let cacheControl: String?
    /// The `Vary` value: the request fields the lifecycle's lookup reads (`Cookie`, `X-Session-Id`).
    public let vary: String

    /// The header fields to add, in order: `Vary` always, then `Set-Cookie` or the ID's header,
    /// and `Cache-Control`, when they go out (the latter replacing the response's own).
    public var fields: [HeaderField] {
        var fields = [HeaderField(name: "Vary", value: vary)]
        if let setCookie { fields.append(HeaderField(name: "Set-Cookie", value: setCookie)) }
        if let idField { fields.append(idField) }
        if let cacheControl { fields.append(HeaderField(name: "Cache-Control", value: cacheControl)) }
        return fields
    }

    /// The answer for `reason` and `credential`, given the response's own `Cache-Control`.
    init(reason: Reason, credential: Credential? = nil, vary: String = "Cookie", responseCacheControl: String? = nil) {
        self.reason = reason
        self.vary = vary
        switch credential {
        case .cookie(let value): (setCookie, idField) = (value, nil)
        case .header(let field): (setCookie, idField) = (nil, field)
        case nil: (setCookie, idField) = (nil, nil)
        }
        if credential == nil || Self.keepsSharedCachesOut(responseCacheControl) {
            cacheControl = nil
        } else {
            cacheControl = responseCacheControl == nil ? "no-store" : "private, no-store"
        }
    }

    /// Whether a `Cache-Control` value forbids shared caches to store the response: it has a
    /// `private` or `no-store` directive (`public` or `s-maxage` beside them do not undo that).
    static func keepsSharedCachesOut(_ value: String?) -> Bool {
        guard let value else { return false }
        return value.split(separator: ",").contains { directive in
            let name = directive.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return name == "private" || name == "no-store"
        }
    }
}
