/// A failure of the session work around a request, and how it is answered by default: what a
/// middleware hands an app's failure handler, so the app can shape the response (JSON for an
/// API, a page for a browser) instead of the default status.
///
/// ```swift
/// StartSessionMiddleware(manager: sessions, onFailure: { failure, _, _ in
///     var headers: HTTPFields = [.contentType: "application/json"]
///     if let seconds = failure.retryAfter { headers[.retryAfter] = String(seconds) }
///     let body = ByteBuffer(string: #"{"error":"sessions are unavailable"}"#)
///     return Response(status: .init(code: failure.status), headers: headers, body: .init(byteBuffer: body))
/// })
/// ```
public struct SessionFailure: Error, Sendable, CustomStringConvertible {
    /// What the middleware was doing.
    public enum Stage: String, Sendable, Equatable {
        /// Reading the request's session from the store.
        case load
        /// Waiting for the session's lock on a blocking route.
        case lock
        /// Saving the session after the handler.
        case save
    }

    /// What the middleware was doing.
    public let stage: Stage
    /// The error: ``SessionError/unavailable(reason:)`` for a store that cannot be reached,
    /// ``SessionError/lockTimeout(waited:)``, or the driver's own. Never holds a session ID.
    public let error: any Error

    /// A failure at `stage` with `error`.
    public init(stage: Stage, error: any Error) {
        self.stage = stage
        self.error = error
    }

    /// Whether it should pass by itself: a store that cannot be reached now, or a lock held
    /// too long by another request of the session. Clients are asked to retry.
    public var isTransient: Bool {
        switch error {
        case SessionError.unavailable, SessionError.lockTimeout: true
        default: false
        }
    }

    /// The default status: 503 for a transient failure, 500 otherwise.
    public var status: Int { isTransient ? 503 : 500 }

    /// Seconds for the default answer's `Retry-After`: 5 for an unreachable store, 1 for a lock
    /// timeout (the other request ends soon), nil for a failure that retrying does not cure.
    public var retryAfter: Int? {
        switch error {
        case SessionError.unavailable: 5
        case SessionError.lockTimeout: 1
        default: nil
        }
    }

    /// "could not load the session: …", with the error's description (which holds no ID).
    public var description: String {
        if case SessionError.lockTimeout(let waited) = error {
            return "the session stayed locked by another request for \(waited)"
        }
        return "could not \(stage.rawValue) the session: \(String(describing: error))"
    }
}
