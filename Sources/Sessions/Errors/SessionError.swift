/// Errors the session machinery throws. Each message names what went wrong and the value
/// involved, never a session ID or token.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `driver(name)` asked for a name nothing registered.
    case unknownDriver(name: String, registered: [String])
    /// The encoded session is larger than `max_payload_bytes`.
    case payloadTooLarge(size: Int, limit: Int)
    /// `increment`, `decrement` or `push` found a value of another type under the key.
    case typeMismatch(key: String, expected: String)
    /// `increment` or `decrement` would overflow `Int`.
    case overflow(key: String)
    /// A value could not be encoded for storage.
    case unencodable(key: String, reason: String)
    /// A session lock (``SessionDriver/lock(_:lease:wait:)``) was not acquired within the wait timeout.
    case lockTimeout(waited: Duration)
    /// A save lost the race against other writers of the same session too many times in a row.
    case tooManyConflicts(attempts: Int)
    /// A capability's verb was called on a driver that does not declare it
    /// (``SessionDriver/capabilities``), or a blocking route asked a driver without
    /// `sessionLocks` for a lock. `driver` is the registered name, or the driver's type name.
    case unsupported(driver: String, capability: String)
    /// The store cannot be reached now (a database that is down, a connection refused or timed
    /// out): a driver throws this so that the request is answered `503 Service Unavailable` with
    /// `Retry-After` rather than 500. `reason` says what failed, without secrets.
    case unavailable(reason: String)
    /// The boot step (``SessionManager/open(drivers:)``) could not build or open `driver`;
    /// `reason` is the driver's error.
    case openFailed(driver: String, reason: String)

    public var description: String {
        switch self {
        case .unknownDriver(let name, let registered):
            "session driver [\(name)] is not registered; registered drivers: \(registered.sorted().joined(separator: ", "))"
        case .payloadTooLarge(let size, let limit):
            "session payload of \(size) bytes exceeds max_payload_bytes (\(limit))"
        case .typeMismatch(let key, let expected):
            "session key [\(key)] does not hold \(expected)"
        case .overflow(let key):
            "session key [\(key)] would overflow Int"
        case .unencodable(let key, let reason):
            "session key [\(key)] could not be encoded: \(reason)"
        case .lockTimeout(let waited):
            "the session lock was not acquired within \(waited)"
        case .unsupported(let driver, let capability):
            "session driver [\(driver)] does not declare the capability \(capability)"
        case .tooManyConflicts(let attempts):
            "the session save conflicted with other writers \(attempts) times in a row"
        case .unavailable(let reason):
            "the session store is unavailable: \(reason)"
        case .openFailed(let driver, let reason):
            "session driver [\(driver)] could not be opened: \(reason)"
        }
    }
}
