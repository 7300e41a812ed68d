import Foundation

/// When a session expires: its own idle lifetime, its deadline, the absolute lifetime's cap.
extension Session {
    /// When the session ends if no request comes before: the deadline the store holds (moved by
    /// each save or touch), or, for a session not stored yet, the deadline a save now would give
    /// it. Never later than the absolute lifetime allows (SCS's `Deadline`).
    public var expiresAt: Date {
        let now = clock.now
        return state.withLock { state in state.storedDeadline ?? deadline(at: now, for: state.envelope) }
    }

    /// How long the session lives without a request: the configured `lifetime` unless one was
    /// set for this session (Fiber's `SetIdleTimeout`, a "remember me" box). Setting it stores the
    /// session at the end of the request and sends its cookie with the new expiry; the absolute
    /// lifetime still caps it. Values are kept between one second and the longest `lifetime`
    /// allows (10 years).
    ///
    /// ```swift
    /// if rememberMe { session.idleLifetime = .seconds(30 * 24 * 3600) }
    /// ```
    public var idleLifetime: Duration {
        get {
            let seconds = state.withLock { $0.envelope.idleLifetime } ?? policy.lifetime
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        set {
            let seconds = max(1, min(newValue.secondsValue, Double(SessionConfig.Settings.maximumLifetimeMinutes) * 60))
            record(.idleLifetime(seconds == policy.lifetime ? nil : seconds))
        }
    }

    /// The deadline a write or touch at `now` gives a session holding `envelope`: its idle
    /// lifetime from `now`, capped by the absolute lifetime from its creation.
    func deadline(at now: Date, for envelope: SessionEnvelope) -> Date {
        let idle = now.addingTimeInterval(envelope.idleLifetime ?? policy.lifetime)
        guard let absolute = policy.absoluteLifetime else { return idle }
        return min(idle, envelope.createdAt.addingTimeInterval(absolute))
    }

    /// The metadata a write at `now` stores with `envelope`.
    func metadata(at now: Date, for envelope: SessionEnvelope, userKey: String?) -> SessionMetadata {
        SessionMetadata(expiresAt: deadline(at: now, for: envelope), createdAt: envelope.createdAt, userKey: userKey)
    }
}
