import Foundation

/// The heart of a cookie-writer middleware, written once for every framework: start a session
/// from a request's `Cookie` headers, finish it after the handler, and say which response headers
/// to add. Framework adapters only translate their request and response types.
///
/// ```swift
/// let lifecycle = SessionLifecycle(manager: sessions)
/// let started = try await lifecycle.start(cookieHeaders: request.headers["Cookie"])
/// var response = try await next(request, started.session)
/// for header in try await lifecycle.finish(started, status: response.status, responseHasCacheControl: …) {
///     response.headers.append(header.name, header.value)
/// }
/// ```
public struct SessionLifecycle: Sendable {
    /// The manager sessions come from.
    public let manager: SessionManager
    /// The driver sessions are stored with (the configured default when nil).
    public let driverName: String?
    private let cookie: SetCookie

    /// A lifecycle over `manager`'s sessions on `driver`.
    public init(manager: SessionManager, driver: String? = nil) {
        self.manager = manager
        self.driverName = driver
        self.cookie = SetCookie(config: manager.config)
    }

    /// A session started for one request, carried from ``start(cookieHeaders:blocking:)`` to
    /// ``finish(_:status:responseHasCacheControl:agingFlashData:)``.
    public struct StartedSession: Sendable {
        /// The request's session.
        public let session: Session
        /// The ID the request's cookie presented, if it was a valid one.
        let presentedID: SessionIdentifier?
        /// Whether the request carried a cookie with the session's name at all.
        let presentedCookie: Bool
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

    /// One response header to add.
    public struct ResponseHeader: Sendable, Equatable, CustomStringConvertible {
        /// The field name (`Set-Cookie`, `Cache-Control`, `Vary`).
        public let name: String
        /// The field value.
        public let value: String

        public var description: String { "\(name): \(value)" }
    }

    /// Finds the session cookie in the request's `Cookie` header values, validates its ID and
    /// starts the session. An invalid, unknown or expired ID is never adopted: the session starts
    /// empty under a fresh ID. Malformed cookie headers are tolerated.
    ///
    /// With `blocking`, a request presenting a valid ID first takes that session's lock
    /// (``SessionDriver/lock(_:lease:wait:)``), held until ``finish(_:status:responseHasCacheControl:agingFlashData:)``
    /// or ``abandon(_:)``.
    /// - Throws: the driver's error when the store cannot be read (answer with a 500);
    ///   ``SessionError/lockTimeout(waited:)`` when the lock did not come in time;
    ///   ``SessionError/unsupported(driver:capability:)`` when the driver cannot lock.
    public func start(cookieHeaders: [String], blocking: Blocking? = nil) async throws -> StartedSession {
        // Browsers send the most specific path first; the first valid ID is the one to try.
        var presentedID: SessionIdentifier?
        var firstValue: Substring?
        CookieHeader.forEachValue(named: cookie.name, in: cookieHeaders) { value in
            if firstValue == nil { firstValue = value }
            presentedID = SessionIdentifier(validating: value)
            return presentedID == nil
        }
        if presentedID == nil, let firstValue { _ = manager.validate(firstValue) }
        var lock: SessionLock?
        if let blocking, let presentedID {
            lock = try await self.lock(presentedID, blocking)
        }
        do {
            let session = try await manager.buildSession(driver: driverName, validatedID: presentedID)
            return StartedSession(session: session, presentedID: presentedID, presentedCookie: firstValue != nil, lock: lock)
        } catch {
            await lock?.release()
            throw error
        }
    }

    private func lock(_ id: SessionIdentifier, _ blocking: Blocking) async throws -> SessionLock {
        let name = driverName ?? manager.defaultDriver
        let driver = try await manager.driver(name)
        guard driver.capabilities.contains(.sessionLocks) else {
            throw SessionError.unsupported(driver: name, capability: "sessionLocks")
        }
        return try await driver.lock(id, lease: blocking.lease, wait: blocking.wait)
    }

    /// Ends a request that will not reach ``finish(_:status:responseHasCacheControl:agingFlashData:)``
    /// (its handler threw): saves nothing and releases a blocking route's lock.
    public func abandon(_ started: StartedSession) async {
        await started.lock?.release()
    }

    /// Finishes the request's session and returns the headers to add to the response.
    ///
    /// - A response with `status` ≥ 500, or a session marked with ``Session/discard()``, saves
    ///   nothing and sends no cookie: the store keeps what it had before the request. So does a
    ///   request that carried a retired ID (a tombstone) or whose session another request
    ///   destroyed meanwhile: it must not overwrite the cookie that request sent.
    /// - Otherwise flash data ages and the session is written if it changed (or touched when
    ///   due), and the gc lottery is drawn (gc runs on its own task).
    /// - `Set-Cookie` goes out only when the ID changed or the cookie's expiry is due to move
    ///   (its session's deadline moved a touch interval past the expiry it was last sent with, or
    ///   the session got its own idle lifetime); it expires at the session's deadline; a clearing cookie goes out
    ///   when the request presented a session cookie and no session is stored now (after
    ///   `invalidate`, or for an unknown ID). Such responses get `Cache-Control: no-store`
    ///   unless `responseHasCacheControl`. Every session response gets `Vary: Cookie`.
    /// - With `agingFlashData` false, flash data is left for the next request: API and XHR routes
    ///   use it so a background fetch does not eat the message the next page was meant to show.
    /// - Throws: the save's error (store failure, payload too large); answer with a 500 and send
    ///   none of the headers.
    public func finish(
        _ started: StartedSession,
        status: Int,
        responseHasCacheControl: Bool = false,
        agingFlashData: Bool = true
    ) async throws -> [ResponseHeader] {
        try await finishResponse(started, status: status, agingFlashData: agingFlashData).headers(responseHasCacheControl: responseHasCacheControl)
    }

    /// ``finish(_:status:responseHasCacheControl:agingFlashData:)`` answering with the cookie to
    /// send rather than a list of headers, for adapters that build their header fields once
    /// (`Vary: Cookie`, `Cache-Control: no-store`) and only the cookie per response.
    public func finishResponse(_ started: StartedSession, status: Int, agingFlashData: Bool = true) async throws -> ResponseCookie {
        do {
            let cookie = try await save(started, status: status, agingFlashData: agingFlashData)
            await started.lock?.release()
            return cookie
        } catch {
            await started.lock?.release()
            throw error
        }
    }

    /// What a finished request adds to its response: always `Vary: Cookie`; when a cookie goes
    /// out, `Set-Cookie` with ``setCookie`` and `Cache-Control: no-store` (unless the response
    /// sets its own cache policy).
    public struct ResponseCookie: Sendable, Equatable {
        /// The `Set-Cookie` value to send, or nil when no cookie goes out.
        public var setCookie: String?

        /// The headers to add, as name/value pairs.
        public func headers(responseHasCacheControl: Bool) -> [ResponseHeader] {
            var headers = [ResponseHeader(name: "Vary", value: "Cookie")]
            if let setCookie {
                headers.append(ResponseHeader(name: "Set-Cookie", value: setCookie))
                if !responseHasCacheControl { headers.append(ResponseHeader(name: "Cache-Control", value: "no-store")) }
            }
            return headers
        }
    }

    private func save(_ started: StartedSession, status: Int, agingFlashData: Bool) async throws -> ResponseCookie {
        let session = started.session
        guard status < 500, !session.isDiscarded else { return ResponseCookie() }

        let outcome = try await session.persist(renewingCookie: true, agingFlashData: agingFlashData)
        guard !outcome.dropped else { return ResponseCookie() }
        var setCookie: String?
        if outcome.isStored {
            if session.id != started.presentedID || outcome.cookieRenewed {
                setCookie = cookie.session(session.id, expiresAt: outcome.expiresAt, now: outcome.now)
            }
        } else if started.presentedCookie {
            setCookie = cookie.clearing()
        }
        manager.collectGarbageByLottery(driver: session.driverName)
        return ResponseCookie(setCookie: setCookie)
    }
}
