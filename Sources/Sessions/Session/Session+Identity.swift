/// Identity: moving a session to a new ID. Store changes happen at save, so a request that ends
/// discarded or in a server error leaves the old session valid and sends no cookie.
extension Session {
    /// Moves the session to a new ID, keeping its data, and replaces its CSRF token if it has one.
    ///
    /// Call it after login to defeat session fixation. With `destroy` (the default, as in Go's
    /// SCS and Fiber; Laravel's default is false) the old ID is removed from the store at save,
    /// so a copy of the old cookie signs nobody in.
    public func regenerate(destroy: Bool = true) {
        state.withLock { state in
            if destroy, let stored = state.storedID, !state.idsToDestroy.contains(stored) {
                state.idsToDestroy.append(stored)
            }
            state.id = .random()
            if state.envelope.token != nil {
                state.envelope.token = Base64URL.randomString(byteCount: 30)
            }
            if state.storedID != nil || !state.envelope.entries.isEmpty || state.envelope.token != nil {
                state.isDirty = true
            }
        }
    }

    /// Ends the session: removes all data, flash and token, destroys the old ID at save and
    /// continues under a fresh, empty session (stored only if something is put in it).
    public func invalidate() {
        let now = clock.now
        state.withLock { state in
            if let stored = state.storedID, !state.idsToDestroy.contains(stored) {
                state.idsToDestroy.append(stored)
            }
            state.id = .random()
            state.storedID = nil
            state.lastActivity = nil
            state.envelope = SessionEnvelope(createdAt: now, cookieRenewedAt: now)
            state.isDirty = false
        }
    }
}
