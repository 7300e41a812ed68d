/// An async mutex per key: tasks that lock the same key run their critical sections one at a
/// time, in arrival order, without blocking a thread while they wait.
///
/// Saves of one session in one process queue here, so a hot session (many overlapping requests
/// with one cookie) costs one read-merge-write per save instead of a storm of conflicting
/// compare-and-swap retries; conflicts then come only from other processes.
package final class KeyedAsyncLock<Key: Hashable & Sendable>: Sendable {
    /// Held keys and the tasks waiting for each, first in line first.
    private let held = Locked<[Key: [CheckedContinuation<Void, Never>]]>([:])

    package init() {}

    /// Runs `body` holding the lock of `key`.
    package func withLock<Result>(_ key: Key, _ body: () async throws -> Result) async rethrows -> Result {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: Key) async {
        // A free key is taken at once, without a continuation (the common case).
        let free = held.withLock { held in
            guard held[key] == nil else { return false }
            held[key] = []
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = held.withLock { held in
                guard held[key] != nil else {
                    held[key] = []
                    return true
                }
                held[key, default: []].append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the lock to the next waiter, or frees the key.
    private func release(_ key: Key) {
        let next = held.withLock { held -> CheckedContinuation<Void, Never>? in
            guard var waiters = held[key], !waiters.isEmpty else {
                held[key] = nil
                return nil
            }
            let next = waiters.removeFirst()
            held[key] = waiters
            return next
        }
        next?.resume()
    }
}
