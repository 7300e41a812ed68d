/// A held session lock (``SessionDriver/lock(_:lease:wait:)``). Release it when the request
/// ends; releasing twice is harmless.
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
