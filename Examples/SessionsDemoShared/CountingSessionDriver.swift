#if Logging
import Logging
public import Sessions
import Synchronization

/// A custom driver, registered with `extend("counting")`: it wraps another driver, counts every
/// operation and, unless its own setting `counting_log` is false, logs each write and destroy.
/// Switch the demo to it with `SESSION_DRIVER=counting`.
///
/// It is a ``Sessions/SessionDriverWrapper``, so it keeps the file driver's conditional writes
/// and session locks: open, close and lock go to the inner driver untouched.
public final class CountingSessionDriver: SessionDriverWrapper {
    /// Whether each write and destroy is logged (`counting_log`, `SESSION_COUNTING_LOG`): the
    /// demo's example of a driver declaring a setting of its own.
    public static let logSetting = SessionSetting<Bool>(
        "counting_log", default: true, format: .flag,
        summary: "Whether the demo's counting driver logs each write and destroy (at debug level).")

    /// The driver that really stores the sessions.
    public let inner: any SessionDriver
    /// Whether each write and destroy is logged.
    public let logsOperations: Bool
    private let logger: Logger
    private let counts = Mutex<[String: Int]>([:])

    /// Counts the operations on `inner`, logging writes and destroys when `logsOperations`.
    public init(wrapping inner: any SessionDriver, logsOperations: Bool = true, logger: Logger) {
        self.inner = inner
        self.logsOperations = logsOperations
        self.logger = logger
    }

    /// How many times each operation ran (`read`, `write`, `destroy`, `touch`, `gc`).
    public var operationCounts: [String: Int] { counts.withLock { $0 } }

    private func count(_ operation: String) {
        counts.withLock { $0[operation, default: 0] += 1 }
    }

    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        count("read")
        return try await inner.read(id)
    }

    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        counted(write: payload, id)
        try await inner.write(id, payload: payload, metadata: metadata)
    }

    public func write(
        _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
    ) async throws -> ConditionalWrite {
        counted(write: payload, id)
        return try await inner.write(id, payload: payload, metadata: metadata, ifVersion: expected)
    }

    private func counted(write payload: [UInt8], _ id: SessionIdentifier) {
        count("write")
        if logsOperations { logger.debug("counting driver: write of \(payload.count) bytes for session \(SessionFingerprint(id))") }
    }

    public func destroy(_ id: SessionIdentifier) async throws {
        count("destroy")
        if logsOperations { logger.debug("counting driver: destroy of session \(SessionFingerprint(id))") }
        try await inner.destroy(id)
    }

    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        count("touch")
        return try await inner.touch(id, metadata: metadata)
    }

    public func gc() async throws -> Int {
        count("gc")
        return try await inner.gc()
    }
}
#endif
