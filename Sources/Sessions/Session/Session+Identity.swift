/// Identity: moving a session to a new ID. Store changes happen at save, so a request that ends
/// discarded or in a server error leaves the old session valid and sends no cookie.
extension Session {
    /// Moves the session to a new ID, keeping its data, and replaces its CSRF secret if it has one.
    /// The absolute lifetime restarts: it counts from the sign-in (OWASP measures it from
    /// authentication), so a guest who signs in late is not signed out early.
    ///
    /// Call it after login to defeat session fixation. With `destroy` (the default, as in Go's
    /// SCS and Fiber; Laravel's default is false) the old ID is removed from the store at save,
    /// so a copy of the old cookie signs nobody in.
    ///
    /// The old ID is not simply deleted: it becomes a short-lived tombstone (`tombstone_lifetime`,
    /// 30 s by default), so a request that still carries it (an XHR that left before the login
    /// response arrived) sees an empty session, writes nothing and sends no cookie.
    public func regenerate(destroy: Bool = true) {
        let now = clock.now
        state.withLock { state in
            if destroy, let stored = state.storedID, !state.retiring.contains(where: { $0.id == stored }) {
                state.retiring.append(Retirement(id: stored, version: state.version, carriesData: true))
            }
            state.id = .random()
            if state.envelope.token != nil {
                Self.record(.token(CSRFToken.newSecret(), ifMissing: false), in: &state)
            }
            if state.storedID != nil || !state.envelope.entries.isEmpty {
                Self.record(.created(now), in: &state)
            }
        }
    }

    /// Ends the session: removes all data, flash and token, retires the old ID at save (a
    /// tombstone, as for ``regenerate(destroy:)``) and continues under a fresh, empty session
    /// (stored only if something is put in it).
    public func invalidate() {
        let now = clock.now
        state.withLock { state in
            if let stored = state.storedID {
                state.retiring.removeAll { $0.id == stored }
                state.retiring.append(Retirement(id: stored, version: nil, carriesData: false))
            }
            for index in state.retiring.indices { state.retiring[index].carriesData = false }
            state.id = .random()
            state.storedID = nil
            state.version = nil
            state.storedDeadline = nil
            state.userKey = nil
            state.envelope = SessionEnvelope(createdAt: now, cookieExpiresAt: now)
            state.operations = []
            state.isDirty = false
        }
    }
}
