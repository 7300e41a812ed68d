/// An async mutex per key: tasks that lock the same key run their critical sections one at a
/// time, in arrival order, without blocking a thread while they wait.
///
/// Saves of one session in one process queue here, so a hot session (many overlapping requests
/// with one cookie) costs one read-merge-write per save instead of a storm of conflicting
/// compare-and-swap retries; conflicts then come only from other processes.
package final class KeyedAsyncLock<Key: Hashable & Sendable>: Sendable {
    /// Held keys and the tasks waiting for each, first in line first, spread over stripes by
    /// the key's hash so that saves of different sessions seldom meet on one mutex.
    private let stripes = (0..<16).map { _ in Stripe([:]) }
    private typealias Stripe = Locked<[Key: [CheckedContinuation<Void, Never>]]>

    package init() {}

    private func stripe(_ key: Key) -> Stripe {
        stripes[Int(UInt(bitPattern: key.hashValue) % UInt(stripes.count))]
    }

    /// Runs `body` holding the lock of `key`.
    package func withLock<Result>(_ key: Key, _ body: () async throws -> Result) async rethrows -> Result {
        let stripe = stripe(key)
        await acquire(key, in: stripe)
        defer { release(key, in: stripe) }
        return try await body()
    }

    private func acquire(_ key: Key, in stripe: Stripe) async {
        // A free key is taken at once, without a continuation (the common case).
        let free = stripe.withLock { held in
            guard held[key] == nil else { return false }
            held[key] = []
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = stripe.withLock { held in
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
    private func release(_ key: Key, in stripe: Stripe) {
        let next = stripe.withLock { held -> CheckedContinuation<Void, Never>? in
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
