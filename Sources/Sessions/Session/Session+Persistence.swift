import Foundation

/// Loading from and saving to the driver.
extension Session {
    /// Loads the session from the store. Runs once; later calls do nothing.
    ///
    /// An ID the store does not know, that has expired, passed its absolute lifetime or holds a
    /// payload that cannot be decoded is never adopted: the session starts empty under a fresh
    /// ID, and an event says why.
    /// - Throws: the driver's error when the store cannot be read.
    public func start() async throws {
        guard let candidate = state.withLock({ $0.isStarted ? nil : $0.candidateID }) else {
            state.withLock { $0.isStarted = true }
            return
        }
        let stored: StoredSession?
        do {
            stored = try await driver.read(candidate)
        } catch {
            report(.storeError(driver: driverName, operation: "read", message: String(describing: error)))
            throw error
        }
        let loaded = stored.flatMap { adoptable(candidate, $0) }
        state.withLock { state in
            state.isStarted = true
            state.candidateID = nil
            guard let (record, envelope) = loaded else { return }
            state.id = candidate
            state.storedID = candidate
            state.lastActivity = record.lastActivity
            var merged = envelope
            for (key, entry) in state.envelope.entries where merged.entries[key] == nil {
                merged.entries[key] = entry
            }
            state.envelope = merged
        }
        if stored == nil { report(.unknownID(SessionFingerprint(candidate))) }
    }

    private func adoptable(_ id: SessionIdentifier, _ stored: StoredSession) -> (StoredSession, SessionEnvelope)? {
        let envelope: SessionEnvelope
        do {
            envelope = try SessionEnvelope(decoding: stored.payload)
        } catch {
            report(.corruptPayload(SessionFingerprint(id), reason: error.description))
            return nil
        }
        if let absolute = config.absoluteLifetimeDuration,
            clock.now.timeIntervalSince(envelope.createdAt) >= Double(absolute.components.seconds)
        {
            report(.absoluteLifetimeExceeded(SessionFingerprint(id)))
            let driver = self.driver
            Task { try? await driver.destroy(id) }
            return nil
        }
        return (stored, envelope)
    }

    /// Ages flash data and writes the session when it changed; an unchanged session that was
    /// loaded has its idle expiry renewed through `touch` once the touch interval has passed.
    /// Old IDs left by ``regenerate(destroy:)`` or ``invalidate()`` are destroyed.
    ///
    /// A background job uses it after changing a session it loaded with
    /// ``SessionManager/load(id:driver:)``.
    /// - Throws: ``SessionError/payloadTooLarge(size:limit:)``, ``SessionError/unencodable(key:reason:)``,
    ///   or the driver's error. Nothing of the save is kept in memory as done then, so it can be retried.
    public func save() async throws {
        _ = try await persist(renewingCookie: false, agingFlashData: true)
    }

    /// What a save did, for the lifecycle to decide which headers to send.
    struct SaveOutcome: Equatable {
        /// The store holds the session under its current ID after the save.
        var isStored: Bool
        /// The cookie's expiry was renewed (recorded in the stored envelope).
        var cookieRenewed: Bool
        var wrote: Bool
        var touched: Bool
    }

    /// Saves; with `renewingCookie`, a stored session whose cookie was last sent a touch interval
    /// ago (or that has a new ID) records a fresh cookie time, which forces a write. Without
    /// `agingFlashData` flash data stays as it is (API and background requests).
    func persist(renewingCookie: Bool, agingFlashData: Bool) async throws -> SaveOutcome {
        let now = clock.now
        let interval = config.effectiveTouchInterval
        let plan = try state.withLock { state -> SavePlan in
            if agingFlashData { ageFlashData(in: &state) }
            let willBeStored = state.isDirty || state.storedID == state.id
            var cookieRenewed = false
            if renewingCookie, willBeStored, !config.expireOnClose,
                state.storedID != state.id || now.timeIntervalSince(state.envelope.cookieRenewedAt) >= interval
            {
                state.envelope.cookieRenewedAt = now
                state.isDirty = true
                cookieRenewed = true
            }
            var plan = SavePlan(id: state.id, previousID: state.storedID, destroy: state.idsToDestroy, cookieRenewed: cookieRenewed)
            if state.isDirty {
                let payload = try state.envelope.encoded()
                guard payload.count <= config.maxPayloadBytes else {
                    throw SessionError.payloadTooLarge(size: payload.count, limit: config.maxPayloadBytes)
                }
                plan.payload = payload
            } else if state.storedID == state.id, let last = state.lastActivity, now.timeIntervalSince(last) >= interval {
                plan.touch = true
            }
            return plan
        }

        var outcome = SaveOutcome(isStored: plan.previousID == plan.id, cookieRenewed: plan.cookieRenewed, wrote: false, touched: false)
        if let payload = plan.payload {
            try await call("write") { try await self.driver.write(plan.id, payload: payload) }
            outcome.isStored = true
            outcome.wrote = true
        }
        for old in plan.destroy {
            try await call("destroy") { try await self.driver.destroy(old) }
        }
        if plan.touch {
            outcome.isStored = try await call("touch") { try await self.driver.touch(plan.id) }
            outcome.touched = true
        }
        if let previous = plan.previousID, previous != plan.id, outcome.wrote {
            report(.regenerated(from: SessionFingerprint(previous), to: SessionFingerprint(plan.id)))
        }

        state.withLock { state in
            guard state.id == plan.id else { return }
            state.idsToDestroy.removeAll { plan.destroy.contains($0) }
            if outcome.wrote || outcome.touched { state.lastActivity = now }
            if outcome.wrote { state.isDirty = false }
            state.storedID = outcome.isStored ? plan.id : nil
        }
        return outcome
    }

    private struct SavePlan {
        var id: SessionIdentifier
        var previousID: SessionIdentifier?
        var destroy: [SessionIdentifier]
        var cookieRenewed: Bool
        var payload: [UInt8]?
        var touch = false
    }

    private func call<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            report(.storeError(driver: driverName, operation: operation, message: String(describing: error)))
            throw error
        }
    }
}
