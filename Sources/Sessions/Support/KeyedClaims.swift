import Foundation

/// Exclusive claims on keys between threads: ``tryClaim(_:)`` never waits, so a task on the
/// cooperative pool can try; ``claim(_:)`` waits, and runs only where blocking is allowed
/// (``BlockingCalls``). Keyed exactly, so a thread waiting for one key never holds up another.
final class KeyedClaims<Key: Hashable & Sendable>: @unchecked Sendable {
    // @unchecked: `claimed` is read and written only while `condition` is locked, in every method
    // below, and the condition itself is a pthread mutex and condition variable, safe to share.
    private let condition = NSCondition()
    private var claimed = Set<Key>()

    /// Claims `key` if nobody holds it; never waits.
    func tryClaim(_ key: Key) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return claimed.insert(key).inserted
    }

    /// Waits until `key` is free, then claims it. Blocks the calling thread.
    func claim(_ key: Key) {
        condition.lock()
        defer { condition.unlock() }
        while !claimed.insert(key).inserted { condition.wait() }
    }

    /// Gives up the claim on `key` and wakes the threads waiting for a claim.
    func release(_ key: Key) {
        condition.lock()
        claimed.remove(key)
        condition.broadcast()
        condition.unlock()
    }
}
