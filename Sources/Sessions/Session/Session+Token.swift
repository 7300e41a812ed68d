/// The CSRF token: one secret stored with the session, handed out masked (see ``CSRFToken``).
extension Session {
    /// A CSRF token for one form or page: a fresh masked copy of the session's secret (80
    /// base64url characters), different on every read so compression cannot reveal it
    /// (BREACH). Every copy validates until the secret is replaced. The secret is made on
    /// first use.
    ///
    /// ```swift
    /// "<input type=\"hidden\" name=\"_token\" value=\"\(session.token)\">"
    /// ```
    public var token: String {
        let secret = state.withLock { state in
            if let stored = state.envelope.token, let secret = CSRFToken.bytes(ofSecret: stored) { return secret }
            let fresh = SecureRandom.bytes(CSRFToken.secretByteCount)
            // A stored secret that is not one (written by other code) is replaced.
            Self.record(.token(Base64URL.encode(fresh), ifMissing: state.envelope.token == nil), in: &state)
            return fresh
        }
        return CSRFToken.masked(secret)
    }

    /// Replaces the CSRF secret with a fresh one, so every token handed out before stops
    /// validating, and returns a masked token for the new secret.
    @discardableResult
    public func regenerateToken() -> String {
        record(.token(CSRFToken.newSecret(), ifMissing: false))
        return token
    }

    /// Whether `candidate` is a token of this session: a masked copy of its secret, or the bare
    /// secret as pages rendered before tokens were masked carried it. Compared in constant
    /// time; a session without a secret matches nothing.
    public func validateToken(_ candidate: some StringProtocol) -> Bool {
        guard let stored = read({ $0.envelope.token }), let secret = CSRFToken.bytes(ofSecret: stored) else { return false }
        return CSRFToken.matches(candidate, secretBytes: secret)
    }
}
