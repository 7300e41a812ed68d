/// The CSRF token: made on first use, stored with the session, compared in constant time.
extension Session {
    /// The session's CSRF token (40 base64url characters), created on first use.
    public var token: String {
        state.withLock { state in
            if let token = state.envelope.token { return token }
            let token = Base64URL.randomString(byteCount: 30)
            Self.record(.token(token, ifMissing: true), in: &state)
            return token
        }
    }

    /// Replaces the CSRF token with a fresh one and returns it.
    @discardableResult
    public func regenerateToken() -> String {
        let token = Base64URL.randomString(byteCount: 30)
        record(.token(token, ifMissing: false))
        return token
    }

    /// Whether `candidate` equals the session's token, compared in constant time. A session
    /// without a token matches nothing.
    public func validateToken(_ candidate: some StringProtocol) -> Bool {
        guard let token = read({ $0.envelope.token }) else { return false }
        return ConstantTime.equals(Array(token.utf8), Array(candidate.utf8))
    }
}

/// Comparison whose running time does not depend on where two secrets first differ.
enum ConstantTime {
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
