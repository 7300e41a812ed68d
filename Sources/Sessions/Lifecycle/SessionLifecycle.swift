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
    /// Where requests' session IDs are looked for, in order (the `lookup` setting unless the
    /// lifecycle was given its own).
    public let lookup: [SessionIDSource]
    /// The `Vary` value of every session response: the request fields the lookup reads.
    public let vary: String

    /// A lifecycle over `manager`'s sessions on `driver`, finding IDs where the `lookup` setting says.
    public init(manager: SessionManager, driver: String? = nil) {
        self.init(manager: manager, driver: driver, checkedLookup: manager.config.lookup)
    }

    /// A lifecycle whose routes find IDs in `lookup` rather than where the `lookup` setting says:
    /// an API group that reads `X-Session-Id` beside pages that use the cookie.
    ///
    /// ```swift
    /// let api = try SessionLifecycle(manager: sessions, lookup: [.header("X-Session-Id")])
    /// ```
    /// - Throws: ``SessionConfigError/invalidValue(key:value:expected:source:)`` for a lookup
    ///   the setting would refuse (none, the cookie twice, a header that is no token, reserved or
    ///   repeated).
    public init(manager: SessionManager, driver: String? = nil, lookup: [SessionIDSource]) throws(SessionConfigError) {
        try SessionConfig.Settings.lookup.declaration.check(lookup)
        self.init(manager: manager, driver: driver, checkedLookup: lookup)
    }

    private init(manager: SessionManager, driver: String?, checkedLookup lookup: [SessionIDSource]) {
        self.manager = manager
        self.driverName = driver
        self.lookup = lookup
        self.vary = lookup.map { $0.headerName ?? "Cookie" }.joined(separator: ", ")
    }

    /// A session started for one request, carried from ``start(headers:blocking:)`` to
    /// ``finish(_:status:responseCacheControl:agingFlashData:)``.
    public struct StartedSession: Sendable {
        /// The request's session.
        public let session: Session
        /// Where its ID travels: the source the adopted ID came from; for a fresh session the
        /// first source that presented anything, else the lookup's first. A new or rotated ID
        /// goes back there only.
        public let source: SessionIDSource
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

    /// Finds the session ID in the request's fields (the lookup's sources in order: `Cookie`
    /// fields, then or before the headers it names), validates it and starts the session. An
    /// invalid, unknown or expired ID is never adopted: the session starts empty under a fresh
    /// ID. Malformed cookie headers are tolerated.
    ///
    /// Of several presented IDs (cookie tossing; a cookie and a header) the first live one in
    /// the lookup's order wins, and the session answers in that ID's source only.
    ///
    /// With `blocking`, a request presenting a valid ID first takes that session's lock
    /// (``SessionDriver/lock(_:lease:wait:)``; of several presented IDs, the live one's), held until ``finish(_:status:responseCacheControl:agingFlashData:)``
    /// or ``abandon(_:)``.
    /// - Parameter headers: the request's header fields, in order (other fields are skipped).
    /// - Throws: the driver's error when the store cannot be read (answer with a 500);
    ///   ``SessionError/lockTimeout(waited:)`` when the lock did not come in time;
    ///   ``SessionError/unsupported(driver:capability:)`` when the driver cannot lock.
    public func start(headers: [HeaderField], blocking: Blocking? = nil) async throws -> StartedSession {
        let presented = PresentedIDs(headers: headers, lookup: lookup, cookieName: manager.cookie.name)
        // One event for the rejected values, however many a hostile request carries.
        if let firstRejected = presented.firstRejected { _ = manager.validate(firstRejected) }
        if presented.cookieCount > 1 { manager.observer(.severalSessionCookies(count: presented.cookieCount)) }
        var ids = presented.ids
        var lock: SessionLock?
        if let blocking, var lockedID = ids.first {
            if ids.count > 1 {
                // Lock the live one of several, so a tossed cookie ahead of the user's cannot
                // route a request around the lock; that session is then read under the lock.
                let live = try await manager.buildSession(driver: driverName, validatedIDs: ids)
                if !live.isNew {
                    lockedID = live.id
                    ids = [lockedID]
                }
            }
            lock = try await self.lock(lockedID, blocking)
        }
        do {
            let session = try await manager.buildSession(driver: driverName, validatedIDs: ids)
            let source = presented.source(of: session.id) ?? presented.firstSource ?? lookup.first ?? .cookie
            return StartedSession(session: session, source: source, presentedCookies: presented.cookieCount, lock: lock)
        } catch {
            await lock?.release()
            throw error
        }
    }

    /// Starts the request with a session the app built itself (Goravel's `SetSession`) instead
    /// of one from the request's fields: ``finish(_:status:responseCacheControl:agingFlashData:)``
    /// saves it and sends its ID in the lookup's first source. It takes no lock.
    public func start(attaching session: Session) -> StartedSession {
        StartedSession(session: session, source: lookup.first ?? .cookie, presentedCookies: 0, lock: nil)
    }

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
    ///   event. Every session response gets `Vary` naming the lookup's fields (`Vary: Cookie`).
    /// - A session whose ID came in a header (``StartedSession/source``) never gets a cookie: a
    ///   new or rotated ID goes back in that header, under the same cache rules; nothing is sent
    ///   to renew or clear it.
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
            let (reason, credential) = try await save(started, status: status, agingFlashData: agingFlashData)
            await started.lock?.release()
            let response = SessionResponse(reason: reason, credential: credential, vary: vary, responseCacheControl: responseCacheControl)
            if let responseCacheControl, response.cacheControl != nil {
                manager.observer(.cacheControlOverridden(responseCacheControl))
            }
            return response
        } catch {
            await started.lock?.release()
            throw error
        }
    }

    /// Saves and decides what carries the ID back, the one place that does, from what the save
    /// reports.
    private func save(
        _ started: StartedSession, status: Int, agingFlashData: Bool
    ) async throws -> (SessionResponse.Reason, SessionResponse.Credential?) {
        let session = started.session
        guard status < 500, !session.isDiscarded else { return (.notSaved, nil) }
        let outcome = try await session.persist(renewingCookie: true, agingFlashData: agingFlashData)
        manager.collectGarbageByLottery(driver: session.driverName)
        if outcome.dropped { return (.notSaved, nil) }
        if let header = started.source.headerName {
            guard outcome.isStored else { return (.notStored, nil) }
            // A header carries no expiry: only a new ID has to go back.
            return outcome.idChanged ? (.newID, .header(HeaderField(name: header, value: outcome.id.rawValue))) : (.unchanged, nil)
        }
        guard outcome.isStored else {
            // Clearing a cookie clears every cookie of that name the browser holds: with several,
            // one may be the victim's own, so only a lone unknown cookie is cleared.
            return started.presentedCookies == 1 ? (.cleared, .cookie(manager.cookie.clearing())) : (.notStored, nil)
        }
        let reason: SessionResponse.Reason
        if outcome.idChanged {
            reason = .newID
        } else if outcome.cookieRenewed {
            reason = .renewed
        } else {
            return (.unchanged, nil)
        }
        return (reason, .cookie(manager.cookie.session(outcome.id, expiresAt: outcome.expiresAt, now: outcome.now)))
    }
}
