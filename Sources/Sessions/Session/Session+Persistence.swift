import Foundation

/// Loading from and saving to the driver.
extension Session {
    /// Writes the session when it changed; an unchanged session that was loaded has its
    /// deadline moved through `touch` once that moves it by the touch interval. Flash data is
    /// left as it is: it ages once per request, in the request lifecycle, so a background job's
    /// saves between a redirect and the next page never eat the message meant for that page.
    /// Old IDs left by ``regenerate(destroy:)`` or ``invalidate()`` are retired.
    ///
    /// With a driver that writes conditionally (the built-in ones) the save writes only if the session
    /// is still as it was loaded; if another request wrote in between, this request's changes
    /// are re-applied on top of that write and the save tries again, so overlapping requests
    /// lose nothing. If the session was destroyed in between (a logout), this request's changes
    /// are dropped, never written back, and a ``SessionEvent/changesDropped(_:)`` event is
    /// reported. Other drivers are last-writer-wins, but a save on them first reads the session
    /// back and drops its changes the same way when it is gone or retired, so a logout is not
    /// undone by a request that loaded the session before it (only one landing between that
    /// read and the write still is).
    ///
    /// A background job uses it after changing a session it loaded with
    /// ``SessionManager/load(id:driver:)``.
    /// - Throws: ``SessionError/payloadTooLarge(size:limit:)``, ``SessionError/unencodable(key:reason:)``,
    ///   ``SessionError/tooManyConflicts(attempts:)`` or the driver's error.
    public func save() async throws {
        _ = try await persist(renewingCookie: false, agingFlashData: false)
    }

    /// What a save did, for the lifecycle to decide which headers to send.
    struct SaveOutcome: Equatable {
        /// The session's ID after the save.
        var id: SessionIdentifier
        /// Whether that ID is not the one the request presented (a new session, or regenerated).
        var idChanged: Bool
        /// The store holds the session under its current ID after the save.
        var isStored: Bool
        /// The clock's time the save used.
        var now: Date
        /// The session's deadline after the save.
        var expiresAt: Date
        /// The cookie's expiry was renewed (recorded in the stored envelope).
        var cookieRenewed = false
        var wrote = false
        var touched = false
        /// Nothing was saved and no cookie may be sent: the request carried a retired ID, or its
        /// session was destroyed by another request while it ran.
        var dropped = false

        /// The outcome of a save that dropped everything, at `now`, for the session `id`.
        static func dropped(_ id: SessionIdentifier, at now: Date) -> SaveOutcome {
            SaveOutcome(id: id, idChanged: false, isStored: false, now: now, expiresAt: now, dropped: true)
        }
    }

    /// A save gives up after losing at least this many races in a row...
    static let minimumConflictsBeforeGivingUp = 64
    /// ...over at least this long. Every lost race means another writer of the session
    /// succeeded, so the session as a whole always progresses; the randomised backoff keeps one
    /// save from starving. A count alone is not enough: a writer in a tight loop in another
    /// process can win 64 races in well under a second on a loaded machine, and the save that
    /// gave up then would lose its request's changes while the session was busy, not broken.
    static let minimumConflictPatience = Duration.seconds(5)

    /// Whether a save that has lost `conflicts` races in a row, over `elapsed` since its first
    /// attempt, tries once more.
    static func keepsTrying(after conflicts: Int, elapsed: Duration) -> Bool {
        conflicts < minimumConflictsBeforeGivingUp || elapsed < minimumConflictPatience
    }

    /// Waits a little, a random amount growing with `attempt` (at most ~20 ms), before a retry.
    private static func backOff(_ attempt: Int) async {
        let ceiling = min(20_000, 100 << min(attempt, 8))
        try? await Task.sleep(for: .microseconds(Int.random(in: 0...ceiling)))
    }

    /// Saves; with `renewingCookie`, a stored session whose cookie's expiry is a touch interval
    /// off its new deadline (or that has a new ID) records the cookie's new expiry, which forces
    /// a write. Without `agingFlashData` flash data stays as it is (API and background requests).
    func persist(renewingCookie: Bool, agingFlashData: Bool) async throws -> SaveOutcome {
        let now = clock.now
        guard let plan = try plan(now: now, renewingCookie: renewingCookie, agingFlashData: agingFlashData) else {
            return .dropped(id, at: now)
        }
        var outcome = SaveOutcome(
            id: plan.id, idChanged: plan.id != startedID, isStored: plan.storedID == plan.id, now: now, expiresAt: plan.storedDeadline ?? plan.metadata.expiresAt,
            cookieRenewed: plan.cookieRenewed
        )
        var version = plan.version
        if let payload = plan.payload {
            guard let (written, metadata) = try await write(plan, payload: payload) else {
                report(.changesDropped(SessionFingerprint(plan.id)))
                state.withLock { state in
                    state.storedID = nil
                    state.operations = []
                    state.isDirty = false
                }
                return .dropped(plan.id, at: now)
            }
            version = written
            outcome.expiresAt = metadata.expiresAt
            outcome.isStored = true
            outcome.wrote = true
            if plan.storedID == nil { report(.created(driver: driverName)) }
        }
        for retirement in plan.retiring {
            try await retire(retirement, movedTo: plan)
            if !retirement.carriesData { report(.invalidated(SessionFingerprint(retirement.id))) }
        }
        if plan.touch {
            outcome.isStored = try await call("touch") { try await self.driver.touch(plan.id, metadata: plan.metadata) }
            outcome.expiresAt = plan.metadata.expiresAt
            outcome.touched = true
        }
        if let previous = plan.storedID, previous != plan.id, outcome.wrote {
            report(.regenerated(from: SessionFingerprint(previous), to: SessionFingerprint(plan.id)))
        }

        state.withLock { state in
            guard state.id == plan.id else { return }
            state.retiring.removeAll { retired in plan.retiring.contains { $0.id == retired.id } }
            if outcome.wrote || outcome.touched { state.storedDeadline = outcome.expiresAt }
            if outcome.wrote {
                state.operations.removeFirst(min(plan.operationCount, state.operations.count))
                state.isDirty = state.changeCount != plan.changeCount
                state.version = version
            }
            state.storedID = outcome.isStored ? plan.id : nil
        }
        return outcome
    }

    private struct SavePlan {
        var now: Date
        var id: SessionIdentifier
        var storedID: SessionIdentifier?
        var version: UInt64?
        var retiring: [Retirement]
        var cookieRenewed: Bool
        var operationCount: Int
        var changeCount: Int
        /// What a write or touch stores beside the payload.
        var metadata: SessionMetadata
        /// The deadline the store held before the save.
        var storedDeadline: Date?
        var payload: [UInt8]?
        var touch = false
    }

    /// Decides, under the lock, what the save does; nil when it must do nothing at all.
    private func plan(now: Date, renewingCookie: Bool, agingFlashData: Bool) throws -> SavePlan? {
        let interval = policy.touchInterval
        return try state.withLock { state -> SavePlan? in
            guard !state.isTombstoned else { return nil }
            if agingFlashData { ageFlashData(in: &state) }
            let willBeStored = state.isDirty || state.storedID == state.id
            let metadata = metadata(at: now, for: state.envelope, userKey: state.userKey)
            var cookieRenewed = false
            if renewingCookie, willBeStored, !policy.expireOnClose,
                state.storedID != state.id || abs(metadata.expiresAt.timeIntervalSince(state.envelope.cookieExpiresAt)) >= interval
            {
                state.envelope.cookieExpiresAt = metadata.expiresAt
                state.isDirty = true
                cookieRenewed = true
            }
            var plan = SavePlan(
                now: now,
                id: state.id,
                storedID: state.storedID,
                version: state.version,
                retiring: state.retiring,
                cookieRenewed: cookieRenewed,
                operationCount: state.operations.count,
                changeCount: state.changeCount,
                metadata: metadata,
                storedDeadline: state.storedID == state.id ? state.storedDeadline : nil
            )
            if state.isDirty {
                plan.payload = try encode(state.envelope)
            } else if state.storedID == state.id, let stored = state.storedDeadline,
                metadata.expiresAt.timeIntervalSince(stored) >= interval
            {
                plan.touch = true
            }
            return plan
        }
    }

    private func encode(_ envelope: SessionEnvelope) throws -> [UInt8] {
        let payload = try envelope.encoded()
        guard payload.count <= policy.maxPayloadBytes else {
            throw SessionError.payloadTooLarge(size: payload.count, limit: policy.maxPayloadBytes)
        }
        return payload
    }

    /// Writes the session: conditionally when the driver can, re-applying this request's
    /// changes after each lost race. Returns the new version (0 from other drivers) and the
    /// metadata written, or nil when the session was destroyed or retired meanwhile and the
    /// changes must be dropped.
    private func write(_ plan: SavePlan, payload: [UInt8]) async throws -> (UInt64, SessionMetadata)? {
        guard writesConditionally else {
            if plan.storedID == plan.id {
                // No compare-and-swap: check that a logout (or a login elsewhere) did not end
                // the session since it was loaded, rather than bring it back.
                let current = try await call("read") { try await self.driver.read(plan.id) }
                guard let current, SessionEnvelope.tombstoneDeadline(current.payload) == nil else { return nil }
            }
            try await call("write") { try await self.driver.write(plan.id, payload: payload, metadata: plan.metadata) }
            return (0, plan.metadata)
        }
        // Saves of this session in this process take turns, so they do not race each other;
        // a conflict then means another process wrote, and one re-read settles it.
        return try await saves.withLock(plan.id) {
            try await writeConditionally(plan, payload: payload)
        }
    }

    private func writeConditionally(_ plan: SavePlan, payload: [UInt8]) async throws -> (UInt64, SessionMetadata)? {
        var payload = payload
        var metadata = plan.metadata
        var expected = plan.storedID == plan.id ? plan.version : nil
        let start = ContinuousClock.now
        var conflicts = 0
        while true {
            // The first conflict is usually the save queued ahead of this one: retry at once.
            if conflicts > 1 { await Self.backOff(conflicts) }
            let attempted = metadata
            switch try await call("write", {
                try await self.driver.write(plan.id, payload: payload, metadata: attempted, ifVersion: expected)
            }) {
            case .written(let version):
                return (version, metadata)
            case .missing:
                return nil
            case .conflict:
                conflicts += 1
                guard Self.keepsTrying(after: conflicts, elapsed: ContinuousClock.now - start) else { throw SessionError.tooManyConflicts(attempts: conflicts) }
                // A session never stored keeps no log to replay: only a colliding random ID
                // (2^-192) could meet another writer here, and then its changes are dropped.
                guard plan.storedID != nil, let latest = try await latestWithChanges(plan.id, now: plan.now) else { return nil }
                (expected, payload, metadata) = (latest.version, latest.payload, latest.metadata)
            }
        }
    }

    /// Re-reads `id` and re-applies this request's changes on top of it: the stored version, the
    /// merged payload and its metadata at `now`, or nil when nothing live (or only a tombstone)
    /// is stored there.
    private func latestWithChanges(_ id: SessionIdentifier, now: Date) async throws -> (version: UInt64, payload: [UInt8], metadata: SessionMetadata)? {
        guard let latest = try await call("read", { try await self.driver.read(id) }),
            SessionEnvelope.tombstoneDeadline(latest.payload) == nil,
            let base = try? SessionEnvelope(decoding: latest.payload)
        else { return nil }
        let (payload, merged) = try state.withLock { state in
            var merged = base
            for operation in state.operations { operation.apply(to: &merged) }
            merged.cookieExpiresAt = max(merged.cookieExpiresAt, state.envelope.cookieExpiresAt)
            state.envelope = merged
            return (try encode(merged), merged)
        }
        return (latest.version, payload, metadata(at: now, for: merged, userKey: latest.metadata.userKey))
    }

    /// Takes an old ID out of service with a tombstone (or destroys it when tombstones are off).
    /// After `regenerate` on an atomic driver, writes that landed on the old ID since this
    /// request loaded it are first carried over to the new ID, so they are not lost either.
    private func retire(_ retirement: Retirement, movedTo plan: SavePlan) async throws {
        let now = plan.now
        guard policy.tombstoneLifetime > 0 else {
            try await call("destroy") { try await self.driver.destroy(retirement.id) }
            return
        }
        let deadline = now.addingTimeInterval(policy.tombstoneLifetime)
        let tombstone = SessionEnvelope.tombstone(until: deadline)
        // The store drops the tombstone at its deadline.
        let standing = SessionMetadata(expiresAt: deadline, createdAt: now)
        guard retirement.carriesData, writesConditionally, var expected = retirement.version else {
            try await call("write") { try await self.driver.write(retirement.id, payload: tombstone, metadata: standing) }
            return
        }
        let start = ContinuousClock.now
        var conflicts = 0
        while true {
            if conflicts > 0 { await Self.backOff(conflicts) }
            switch try await call("write", {
                try await self.driver.write(retirement.id, payload: tombstone, metadata: standing, ifVersion: expected)
            }) {
            case .written, .missing:
                return
            case .conflict:
                conflicts += 1
                guard Self.keepsTrying(after: conflicts, elapsed: ContinuousClock.now - start) else { throw SessionError.tooManyConflicts(attempts: conflicts) }
                guard let latest = try await latestWithChanges(retirement.id, now: now) else { return }
                // Nobody knows the new ID yet (its cookie has not gone out), so it can be rewritten.
                try await call("write") { try await self.driver.write(plan.id, payload: latest.payload, metadata: latest.metadata) }
                expected = latest.version
            }
        }
    }

    private func call<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        try await shared.call(operation, body)
    }
}
