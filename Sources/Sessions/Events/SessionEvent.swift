/// Something worth knowing that happened in the session machinery.
///
/// The core has no logging dependency: it reports events to the manager's observer, and the
/// framework integrations forward them to swift-log. No event carries a raw session ID or token;
/// where correlation helps it carries a ``SessionFingerprint``.
public enum SessionEvent: Sendable, Equatable {
    /// A cookie or caller supplied text that is not a valid session ID; a fresh session started.
    case rejectedID(reason: RejectedIDReason)
    /// A well-formed ID the store does not know (never issued, expired or destroyed); it was not
    /// adopted and a fresh session started.
    case unknownID(SessionFingerprint)
    /// A stored session passed its absolute lifetime; it was destroyed and a fresh one started.
    case absoluteLifetimeExceeded(SessionFingerprint)
    /// A stored payload could not be decoded; the session starts fresh.
    case corruptPayload(SessionFingerprint, reason: String)
    /// A session was started (for a request, or built by ``SessionManager/buildSession(driver:id:)``):
    /// `isNew` when no stored session was found for it. Reported for every session, for metrics;
    /// the logging integration leaves it out.
    case sessionStarted(driver: String, isNew: Bool)
    /// A new session was stored for the first time (no fingerprint: one would cost a SHA-256 for
    /// every new visitor).
    case created(driver: String)
    /// A session's driver call (read, write, touch or destroy) finished (`failed` when it threw) after
    /// `duration`. Reported for every call, for metrics; the logging integration leaves it out.
    case storeCall(driver: String, operation: String, duration: Duration, failed: Bool)
    /// A driver call failed.
    case storeError(driver: String, operation: String, message: String)
    /// A driver threw ``SessionError/unavailable(reason:)``: its store cannot be reached, and
    /// requests get 503 until ``storeRecovered(driver:)``. Reported when the outage begins and
    /// when its reason changes, not for every failing call.
    case storeUnavailable(driver: String, reason: String)
    /// A driver call succeeded after ``storeUnavailable(driver:reason:)``: the store is back.
    case storeRecovered(driver: String)
    /// The memory driver was full and dropped sessions: new ones never presented again first.
    case evicted(driver: String, count: Int)
    /// A gc run finished.
    case garbageCollected(driver: String, removed: Int)
    /// A driver was built that declares no conditional writes: overlapping requests of one
    /// session are last-writer-wins on it. Reported once, when the manager builds the driver.
    case lastWriterWins(driver: String)
    /// A session moved to a new ID (login, regenerate, invalidate).
    case regenerated(from: SessionFingerprint, to: SessionFingerprint)
    /// A response that sends a session cookie set a `Cache-Control` that lets shared caches store
    /// it (the value is given); the lifecycle replaced it with `private, no-store`, so no CDN hands
    /// one visitor's session to another.
    case cacheControlOverridden(String)
    /// A request carried several cookies with the session's name (cookie tossing, or stale
    /// cookies of other paths): a live one was preferred and no clearing cookie was sent.
    case severalSessionCookies(count: Int)
    /// A session was ended by ``Session/invalidate()`` (a logout) and its old ID taken out of
    /// service at save: the audit trail of a logout.
    case invalidated(SessionFingerprint)
    /// A request carried an ID retired moments ago by `regenerate` or `invalidate` (a
    /// tombstone): it saw an empty session, saved nothing and sent no cookie.
    case retiredID(SessionFingerprint)
    /// A request's changes were dropped because another request destroyed its session while it
    /// ran (a logout): the session was not brought back and no cookie was sent.
    case changesDropped(SessionFingerprint)
    /// A driver's folder let other users in (its octal mode was `previousMode`, such as `0755`);
    /// the driver made it private to its owner (0700) as it opened.
    case folderTightened(driver: String, folder: String, previousMode: String)
    /// The file driver found `count` session files named by their raw IDs (the layout before
    /// handle names) as it opened, and renamed them to their handles; their sessions go on.
    case filesRenamed(driver: String, count: Int)
    /// A session value was not passed on in a request header (``Session/headerValue(_:forHeader:)``):
    /// it holds a character a field value may not (a CR or LF that would start a header of its
    /// own). Names the header and the key, never the value.
    case headerValueRefused(header: String, key: String)

    /// Why an ID was rejected before reaching any driver.
    public enum RejectedIDReason: String, Sendable, Equatable {
        /// Longer than an ID can be.
        case oversized
        /// Wrong length or characters outside base64url.
        case malformed
    }
}

/// The manager's observer: a closure called for each event, synchronously, on whatever task
/// produced it. Keep it cheap (hand off to a logger); it must not block.
public typealias SessionEventObserver = @Sendable (SessionEvent) -> Void
