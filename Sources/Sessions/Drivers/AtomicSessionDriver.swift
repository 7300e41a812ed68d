/// A driver that can write conditionally on the version it read (compare-and-swap), so that a
/// session's read-merge-write is atomic.
///
/// Every write gives the stored session a new ``StoredSession/version`` (never reused for the
/// same ID while the driver runs; drivers shared across processes draw it at random). A save
/// writes with the version it loaded; when another request wrote in between, the write reports
/// a ``ConditionalWrite/conflict`` and the session re-reads, re-applies its own changes on top
/// and tries again. When the session was destroyed in between, the write reports
/// ``ConditionalWrite/missing`` and the session drops its changes instead of bringing it back.
///
/// The built-in `memory` and `file` drivers implement it; the conformance suite's atomic tier
/// checks it. Drivers that implement only ``SessionDriver`` are last-writer-wins.
public protocol AtomicSessionDriver: SessionDriver {
    /// Stores `payload` under `id` only if the live session stored there has version
    /// `expected`, or, when `expected` is nil, only if no live session is stored there.
    func write(_ id: SessionIdentifier, payload: [UInt8], ifVersion expected: UInt64?) async throws -> ConditionalWrite
}

/// The result of ``AtomicSessionDriver/write(_:payload:ifVersion:)``.
public enum ConditionalWrite: Sendable, Equatable {
    /// Stored; the session now has `version`.
    case written(version: UInt64)
    /// Not stored: the live session has another version (or, for a create, exists).
    case conflict
    /// Not stored: a version was expected but no live session is stored (destroyed or expired).
    case missing
}
