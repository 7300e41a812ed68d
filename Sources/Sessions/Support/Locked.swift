import Foundation

/// A value guarded by a lock.
///
/// Built on `NSLock` (a pthread mutex) rather than `Synchronization.Mutex`: on Linux, `Mutex`
/// waits on a raw futex that ThreadSanitizer cannot see, so every access it guards is reported
/// as a race, and the tests must run clean under `--sanitize=thread`. A class, so it can sit in
/// an array (the memory driver's shards) and be shared by reference.
package final class Locked<Value: Sendable>: @unchecked Sendable {
    // Safe to send: `value` is only read or written inside `withLock`, which holds `lock` for the
    // whole access, and `Value` is itself `Sendable`, so nothing non-sendable escapes.
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
