import Foundation

/// The heart of a cookie-writer middleware, written once for every framework: start a session
/// from a request's header fields, finish it after the handler, and say which header fields to
/// add to the response. Framework adapters only translate their request and response types.
///
/// ```swift
/// let lifecycle = SessionLifecycle(manager: sessions)
/// let started = try await lifecycle.start(headers: request.headers.map { HeaderField(name: $0.name, value: $0.value) })
/// var response = try await next(request, started.session)
/// let answer = try await lifecycle.finish(started, status: response.status, responseHasCacheControl: …)
/// for field in answer.fields { response.headers.append(field.name, field.value) }
/// ```
public struct SessionLifecycle: Sendable {
    /// The manager sessions come from.
    public let manager: SessionManager
    /// The driver sessions are stored with (the configured default when nil).
    public let driverName: String?

    /// A lifecycle over `manager`'s sessions on `driver`.
    public init(manager: SessionManager, driver: String? = nil) {
        self.manager = manager
        self.driverName = driver
    }

    /// A session started for one request, carried from ``start(headers:blocking:)`` to
    /// ``finish(_:status:responseCacheControl:agingFlashData:)``.
    public struct StartedSession: Sendable {
        /// The request's session.
        public let session: Session
        /// How many cookies with the session's name the request carried.
        let presentedCookies: Int
        /// The session lock a blocking route holds until the request ends.
        let lock: SessionLock?
    }

    /// Laravel's `block` for a route: requests of one session on it run one at a time.
    ///
    /// The merge at save already keeps overlapping requests from losing each other's changes;
    /// block the routes whose whole read-modify-write must not interleave (a checkout that
    /// reads a cart, charges, then empties it).
    public struct Blocking: Sendable, Equatable {
        /// How long a request may hold the lock before it frees itself.
        public var lease: Duration
        /// How long a request waits for the lock before failing with
        /// ``SessionError/lockTimeout(waited:)``.
        public var wait: Duration

        /// Blocking with Laravel's defaults: 10 s lease, 10 s wait.
        public init(lease: Duration = .seconds(10), wait: Duration = .seconds(10)) {
            self.lease = lease
            self.wait = wait
        }
    }

    /// Finds the session cookie in the request's `Cookie` fields, validates its ID and starts
    /// the session. An invalid, unknown or expired ID is never adopted: the session starts empty
    /// under a fresh ID. Malformed cookie headers are tolerated.
    ///
    /// With `blocking`, a request presenting a valid ID first takes that session's lock
    /// (``SessionDriver/lock(_:lease:wait:)``; of several presented IDs, the live one's), held until ``finish(_:status:responseCacheControl:agingFlashData:)``
    /// or ``abandon(_:)``.
    /// - Parameter headers: the request's header fields, in order (other fields are skipped).
    /// - Throws: the driver's error when the store cannot be read (answer with a 500);
    ///   ``SessionError/lockTimeout(waited:)`` when the lock did not come in time;
    ///   ``SessionError/unsupported(driver:capability:)`` when the driver cannot lock.
    public func start(headers: [HeaderField], blocking: Blocking? = nil) async throws -> StartedSession {
        // Browsers send the most specific path first. Several session cookies mean someone
        // (a sibling subdomain, an attacker on plain http) may have tossed one in: the valid IDs
        // are tried in order and a live one wins.
        var presentedIDs: [SessionIdentifier] = []
        var cookieCount = 0
        var firstRejected: Substring?
        for field in headers where field.isNamed("Cookie") && presentedIDs.count < Self.mostPresentedIDs {
            CookieHeader.forEachValue(named: manager.cookie.name, in: field.value) { value in
                cookieCount += 1
                if let id = SessionIdentifier(validating: value) {
                    if !presentedIDs.contains(id) { presentedIDs.append(id) }
                } else if firstRejected == nil {
                    firstRejected = value
                }
                return presentedIDs.count < Self.mostPresentedIDs
            }
        }
        // One event for the rejected values, however many a hostile header carries.
        if let firstRejected { _ = manager.validate(firstRejected) }
        if cookieCount > 1 { manager.observer(.severalSessionCookies(count: cookieCount)) }
        var lock: SessionLock?
        if let blocking, var lockedID = presentedIDs.first {
            if presentedIDs.count > 1 {
                // Lock the live one of several, so a tossed cookie ahead of the user's cannot
                // route a request around the lock; that session is then read under the lock.
                let live = try await manager.buildSession(driver: driverName, validatedIDs: presentedIDs)
                if !live.isNew {
                    lockedID = live.id
                    presentedIDs = [lockedID]
                }
            }
            lock = try await self.lock(lockedID, blocking)
        }
        do {
            let session = try await manager.buildSession(driver: driverName, validatedIDs: presentedIDs)
            return StartedSession(session: session, presentedCookies: cookieCount, lock: lock)
        } catch {
            await lock?.release()
            throw error
        }
    }

    /// The most session IDs one request's cookies are tried for.
    static let mostPresentedIDs = 4

    private func lock(_ id: SessionIdentifier, _ blocking: Blocking) async throws -> SessionLock {
        let name = driverName ?? manager.defaultDriver
        let driver = try await manager.driver(name)
        guard driver.capabilities.contains(.sessionLocks) else {
            throw SessionError.unsupported(driver: name, capability: "sessionLocks")
        }
        return try await driver.lock(id, lease: blocking.lease, wait: blocking.wait)
    }

    /// Ends a request that will not reach ``finish(_:status:responseCacheControl:agingFlashData:)``
    /// (its handler threw): saves nothing and releases a blocking route's lock.
    public func abandon(_ started: StartedSession) async {
        await started.lock?.release()
    }

    /// Finishes the request's session and says what to add to the response.
    ///
    /// - A response with `status` ≥ 500, or a session marked with ``Session/discard()``, saves
    ///   nothing and sends no cookie: the store keeps what it had before the request. So does a
    ///   request that carried a retired ID (a tombstone) or whose session another request
    ///   destroyed meanwhile: it must not overwrite the cookie that request sent.
    /// - Otherwise flash data ages and the session is written if it changed (or touched when
    ///   due), and the gc lottery is drawn (gc runs on its own task).
    /// - `Set-Cookie` goes out only when the ID changed or the cookie's expiry is due to move
    ///   (its session's deadline moved a touch interval past the expiry it was last sent with, or
    ///   the session got its own idle lifetime); it expires at the session's deadline; a clearing
    ///   cookie goes out when the request presented a session cookie and no session is stored now
    ///   (after `invalidate`, or for an unknown ID). A response that sends a cookie must not be
    ///   stored by a shared cache: one without `Cache-Control` gets `no-store`, and one whose
    ///   `responseCacheControl` lets shared caches store it (`public, max-age=…`, no `private` or
    ///   `no-store`) gets `private, no-store` instead, with a ``SessionEvent/cacheControlOverridden(_:)``
    ///   event. Every session response gets `Vary: Cookie`.
    /// - With `agingFlashData` false, flash data is left for the next request: API and XHR routes
    ///   use it so a background fetch does not eat the message the next page was meant to show.
    /// - Throws: the save's error (store failure, payload too large); answer with a 500 and send
    ///   none of the fields.
    public func finish(
        _ started: StartedSession,
        status: Int,
        responseCacheControl: String? = nil,
        agingFlashData: Bool = true
    ) async throws -> SessionResponse {
        do {
            let saved = try await save(started, status: status, agingFlashData: agingFlashData)
            await started.lock?.release()
            let response = SessionResponse(reason: saved.reason, setCookie: saved.setCookie, responseCacheControl: responseCacheControl)
            if let responseCacheControl, response.cacheControl != nil {
                manager.observer(.cacheControlOverridden(responseCacheControl))
            }
            return response
        } catch {
            await started.lock?.release()
            throw error
        }
    }

    /// Saves and decides the cookie, the one place that does, from what the save reports.
    private func save(_ started: StartedSession, status: Int, agingFlashData: Bool) async throws -> SessionResponse {
        let session = started.session
        guard status < 500, !session.isDiscarded else { return SessionResponse(reason: .notSaved) }
        let outcome = try await session.persist(renewingCookie: true, agingFlashData: agingFlashData)
        manager.collectGarbageByLottery(driver: session.driverName)
        if outcome.dropped { return SessionResponse(reason: .notSaved) }
        guard outcome.isStored else {
            // Clearing a cookie clears every cookie of that name the browser holds: with several,
            // one may be the victim's own, so only a lone unknown cookie is cleared.
            return started.presentedCookies == 1
                ? SessionResponse(reason: .cleared, setCookie: manager.cookie.clearing()) : SessionResponse(reason: .notStored)
        }
        let reason: SessionResponse.Reason
        if outcome.idChanged {
            reason = .newID
        } else if outcome.cookieRenewed {
            reason = .renewed
        } else {
            return SessionResponse(reason: .unchanged)
        }
        return SessionResponse(reason: reason, setCookie: manager.cookie.session(outcome.id, expiresAt: outcome.expiresAt, now: outcome.now))
    }
}
