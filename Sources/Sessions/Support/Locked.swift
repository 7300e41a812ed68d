#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a lock, shared by reference.
///
/// A pthread mutex stored in the same allocation as the value (one allocation, where `NSLock`
/// takes three with its wrapper; a session makes one per request). Not `Synchronization.Mutex`:
/// on Linux that waits on a raw futex ThreadSanitizer cannot see, so every access it guards is
/// reported as a race, and the tests must run clean under `--sanitize=thread`.
package struct Locked<Value: Sendable>: @unchecked Sendable {
    // Safe to send: the value is only read or written inside `withLock`, which holds the mutex
    // for the whole access, and `Value` is itself `Sendable`, so nothing non-sendable escapes.
    // (`ManagedBuffer` is marked non-`Sendable`, so the storage cannot say this itself.) The
    // mutex lives at a fixed address in the buffer for the buffer's lifetime.
    private let storage: Storage

    package init(_ value: Value) {
        storage = Storage.make(value)
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock(body)
    }

    /// The value as the header of a buffer whose one element is the mutex.
    private final class Storage: ManagedBuffer<Value, pthread_mutex_t> {
        static func make(_ value: Value) -> Storage {
            let buffer = create(minimumCapacity: 1) { _ in value }
            buffer.withUnsafeMutablePointerToElements { mutex in
                var attributes = pthread_mutexattr_t()
                pthread_mutexattr_init(&attributes)
                #if canImport(Glibc)
                // Critical sections here are short: a waiter spins a little before it sleeps,
                // so two threads meeting on a lock rarely pay for a futex sleep and wake.
                pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
                #endif
                pthread_mutex_init(mutex, &attributes)
                pthread_mutexattr_destroy(&attributes)
            }
            // `create` on a subclass allocates an instance of that subclass.
            return unsafeDowncast(buffer, to: Storage.self)
        }

        func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
            try withUnsafeMutablePointers { value, mutex in
                pthread_mutex_lock(mutex)
                defer { pthread_mutex_unlock(mutex) }
                return try body(&value.pointee)
            }
        }

        deinit {
            withUnsafeMutablePointerToElements { _ = pthread_mutex_destroy($0) }
        }
    }
}
