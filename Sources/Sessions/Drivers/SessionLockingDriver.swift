/// A driver that can hold a lock on one session for a whole request, so that requests of one
/// session on a route that must serialise a read-modify-write run one at a time (Laravel's
/// `block`). Opt-in per route; the merge at save already keeps overlapping requests from losing
/// each other's changes without it.
public protocol SessionLockingDriver: SessionDriver {
    /// Waits at most `wait` for the lock on `id`, then holds it until ``SessionLock/release()``
    /// or until `lease` has passed (so a stuck request cannot block its session forever).
    /// - Throws: ``SessionError/lockTimeout(waited:)`` when `wait` passes first.
    func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock
}

/// A held session lock. Release it when the request ends; releasing twice is harmless.
public struct SessionLock: Sendable {
    private let onRelease: @Sendable () async -> Void

    /// A lock released by calling `release`.
    public init(release: @escaping @Sendable () async -> Void) {
        self.onRelease = release
    }

    /// Releases the lock.
    public func release() async {
        await onRelease()
    }
}
