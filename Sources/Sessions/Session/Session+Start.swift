import Foundation

/// Starting a request's session from the store: a session is born started.
extension Session {
    /// The session for a request that presented `ids` under the session's cookie name, read
    /// from the store.
    ///
    /// An ID the store does not know, that has expired, passed its absolute lifetime or holds a
    /// payload that cannot be decoded is never adopted: the session starts empty under a fresh
    /// ID, and an event says why. An ID retired moments ago by `regenerate` or `invalidate` (a
    /// tombstone) gives an empty session that saves nothing and sends no cookie.
    ///
    /// Of several IDs (cookie tossing: a sibling subdomain can add its own) the first one the
    /// store holds a live session for wins, else a retired one (so the request sends no cookie),
    /// else a fresh session. Each is read in order until one is live.
    /// - Throws: the driver's error when the store cannot be read.
    static func start(presentingAny ids: [SessionIdentifier], on shared: ResolvedDriver) async throws -> Session {
        let now = shared.clock.now
        var retired: Origin?
        for id in ids {
            guard let stored = try await shared.call("read", { try await shared.driver.read(id) }) else {
                shared.report(.unknownID(SessionFingerprint(id)))
                continue
            }
            let found = origin(of: stored, under: id, on: shared, now: now)
            switch found {
            case .stored: return started(Session(found, on: shared, now: now))
            case .tombstone: retired = retired ?? found
            case .fresh: continue
            }
        }
        return started(Session(retired ?? .fresh, on: shared, now: now))
    }

    /// `session`, reported as started.
    private static func started(_ session: Session) -> Session {
        session.report(.sessionStarted(driver: session.driverName, isNew: session.isNew))
        return session
    }

    /// What `stored`, read under `id`, gives a request at `now`.
    private static func origin(of stored: StoredSession, under id: SessionIdentifier, on shared: ResolvedDriver, now: Date) -> Origin {
        if let deadline = SessionEnvelope.tombstoneDeadline(stored.payload) {
            guard now < deadline else {
                shared.report(.unknownID(SessionFingerprint(id)))
                return .fresh
            }
            shared.report(.retiredID(SessionFingerprint(id)))
            return .tombstone(id)
        }
        let envelope: SessionEnvelope
        do {
            envelope = try SessionEnvelope(decoding: stored.payload)
        } catch {
            shared.report(.corruptPayload(SessionFingerprint(id), reason: error.description))
            return .fresh
        }
        if let absolute = shared.policy.absoluteLifetime, now.timeIntervalSince(envelope.createdAt) >= absolute {
            shared.report(.absoluteLifetimeExceeded(SessionFingerprint(id)))
            let driver = shared.driver
            Task { try? await driver.destroy(id) }
            return .fresh
        }
        return .stored(id, stored, envelope)
    }
}
