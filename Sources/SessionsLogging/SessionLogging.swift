#if Logging
public import Logging
public import Sessions

/// Forwards the core's ``Sessions/SessionEvent``s to swift-log.
///
/// Inside a request the events go to the request's logger (so they carry its request ID): the
/// Hummingbird and Vapor adapters bind it; outside (gc, background jobs) to the logger given
/// here. Events never carry a raw session
/// ID, only a ``Sessions/SessionFingerprint``.
///
/// ```swift
/// let sessions = SessionManager(config: config, observer: SessionLogging.observer(logger: logger))
/// ```
public enum SessionLogging {
    /// The logger of the request being handled, bound by each adapter's `StartSessionMiddleware`.
    @TaskLocal package static var requestLogger: Logger?

    /// An observer that logs each event to the current request's logger, or to `logger`.
    public static func observer(logger: Logger) -> SessionEventObserver {
        { event in
            switch event {
            case .sessionStarted, .storeCall: return  // one or more a request: for metrics, not logs
            default: break
            }
            let target = requestLogger ?? logger
            let (level, message) = describe(event)
            target.log(level: level, "\(message)")
        }
    }

    /// Logs a failed load, lock or save on `logger` (never with the session ID): a lock timeout
    /// at notice, an unreachable store at warning, anything else at error.
    package static func log(_ failure: SessionFailure, to logger: Logger) {
        let level: Logger.Level = failure.stage == .lock ? .notice : failure.isTransient ? .warning : .error
        logger.log(level: level, "\(failure.description)")
    }

    /// The log level and message for an event.
    package static func describe(_ event: SessionEvent) -> (Logger.Level, String) {
        switch event {
        case .rejectedID(let reason):
            (.info, "session cookie rejected (\(reason.rawValue)); a fresh session was started")
        case .unknownID(let fingerprint):
            (.info, "session \(fingerprint) is unknown or expired; a fresh session was started")
        case .absoluteLifetimeExceeded(let fingerprint):
            (.info, "session \(fingerprint) passed its absolute lifetime and was ended")
        case .corruptPayload(let fingerprint, let reason):
            (.warning, "session \(fingerprint) has a corrupt payload (\(reason)); a fresh session was started")
        case .sessionStarted(let driver, let isNew):
            (.trace, "a \(isNew ? "new" : "stored") session was started on \(driver)")
        case .created(let driver):
            (.debug, "a new session was stored on \(driver)")
        case .storeCall(let driver, let operation, let duration, let failed):
            (.trace, "session driver \(driver) \(operation) \(failed ? "failed" : "took") \(duration)")
        case .storeError(let driver, let operation, let message):
            (.error, "session driver \(driver) failed to \(operation): \(message)")
        case .storeUnavailable(let driver, let reason):
            (.error, "session driver \(driver) is unavailable, session requests get 503 until it is back: \(reason)")
        case .storeRecovered(let driver):
            (.notice, "session driver \(driver) is available again")
        case .evicted(let driver, let count):
            (.notice, "session driver \(driver) is full and evicted \(count) session(s), new ones never presented again first")
        case .garbageCollected(let driver, let removed):
            (.debug, "session gc on \(driver) removed \(removed) expired session(s)")
        case .lastWriterWins(let driver):
            (.notice, "session driver \(driver) declares no conditional writes: overlapping requests of one session are last-writer-wins")
        case .regenerated(let from, let to):
            (.debug, "session \(from) moved to a new ID \(to)")
        case .cacheControlOverridden(let value):
            (.warning, "a session response set Cache-Control: \(value); replaced with private, no-store so shared caches do not store its cookie")
        case .severalSessionCookies(let count):
            (.notice, "a request carried \(count) session cookies (a sibling domain may be tossing cookies); a live one was preferred")
        case .invalidated(let fingerprint):
            (.info, "session \(fingerprint) was invalidated (logout); its ID no longer works")
        case .retiredID(let fingerprint):
            (.info, "session \(fingerprint) was retired moments ago; the request saves nothing")
        case .changesDropped(let fingerprint):
            (.notice, "session \(fingerprint) was destroyed by another request; this request's changes were dropped")
        case .folderTightened(let driver, let folder, let previousMode):
            (.notice, "session driver \(driver) made its folder \(folder) private (mode \(previousMode) → 0700): other users could list it")
        case .headerValueRefused(let header, let key):
            (.warning, "session value \(key) was not passed on in request header \(header): it holds characters a header value may not")
        case .filesRenamed(let driver, let count):
            (.notice, "session driver \(driver) renamed \(count) session file(s) named by raw IDs to their handles; their sessions go on")
        }
    }
}
#endif
