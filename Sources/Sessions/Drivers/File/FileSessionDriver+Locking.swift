#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSessionDriver {
    /// Waits at most `wait` for the session lock of `id`, across threads and processes, then
    /// holds it until ``SessionLock/release()`` or until `lease` has passed.
    ///
    /// The lock is a POSIX record lock on `.block-<handle>` in the folder (``SessionHandle``;
    /// created with mode 0600, and the folder with it when missing), polled every 5 ms. When the holding process dies,
    /// the operating system releases it at once. Releasing removes the file.
    ///
    /// - Throws: ``SessionError/lockTimeout(waited:)`` when `wait` passes first, or a
    ///   ``FileSessionDriverError`` when the lock file cannot be opened or locked.
    public func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        let name = SessionFileName(id)
        var createdFolder = false
        while true {
            if let fd = try tryBlock(name, createdFolder: &createdFolder) {
                return startHolding(name, fd: fd, lease: lease)
            }
            let now = clock.now
            guard now < deadline else { throw SessionError.lockTimeout(waited: wait) }
            try await Task.sleep(for: min(.milliseconds(5), deadline - now))
        }
    }

    /// One attempt at the session lock of the session named `name`: the descriptor holding it,
    /// or nil when another thread or process holds it.
    private func tryBlock(_ name: SessionFileName, createdFolder: inout Bool) throws -> Int32? {
        while true {
            guard FileLockRegistry.blocks.tryClaim(name) else { return nil }
            let attempt: FileLockAttempt
            do {
                attempt = try lockFile(at: blockPath(for: name), create: true, wait: false)
            } catch {
                FileLockRegistry.blocks.release(name)
                throw error
            }
            switch attempt {
            case .held(let fd):
                // The claim stays until release: no other thread of this process may open the file.
                return fd
            case .busy:
                FileLockRegistry.blocks.release(name)
                return nil
            case .absent:
                FileLockRegistry.blocks.release(name)
                guard !createdFolder else {
                    throw FileSessionDriverError.systemCall(operation: "open a lock file", folder: folder, code: ENOENT)
                }
                try createFolder(folder)
                createdFolder = true
            }
        }
    }

    /// Wraps the held lock in a ``SessionLock`` and starts its lease.
    private func startHolding(_ name: SessionFileName, fd: Int32, lease: Duration) -> SessionLock {
        let holder = FileBlockHolder(name: name, path: blockPath(for: name), fd: fd)
        let expiry = Task { [holder] in
            try? await Task.sleep(for: lease)
            if !Task.isCancelled { holder.release() }
        }
        holder.setLeaseTask(expiry)
        return SessionLock { holder.release() }
    }
}

/// A held session lock of ``FileSessionDriver``: the descriptor whose record lock it is, until
/// released by hand or by its lease, whichever comes first (the second release does nothing).
final class FileBlockHolder: Sendable {
    private let name: SessionFileName
    private let path: String
    private let state: Locked<(fd: Int32?, lease: Task<Void, Never>?)>

    init(name: SessionFileName, path: String, fd: Int32) {
        self.name = name
        self.path = path
        self.state = Locked((fd: fd, lease: nil))
    }

    /// Remembers the lease's task, to cancel it on an early release.
    func setLeaseTask(_ task: Task<Void, Never>) {
        let released = state.withLock { state -> Bool in
            guard state.fd != nil else { return true }
            state.lease = task
            return false
        }
        if released { task.cancel() }
    }

    /// Removes the lock file (while still holding it, so nobody else holds a removed file),
    /// closes the descriptor, which releases the record lock, and only then gives up the
    /// in-process claim.
    func release() {
        let (fd, lease) = state.withLock { state -> (Int32?, Task<Void, Never>?) in
            defer { state = (fd: nil, lease: nil) }
            return (state.fd, state.lease)
        }
        lease?.cancel()
        guard let fd else { return }
        _ = FileSessionDriver.unlinkIfStillLinked(path, holding: fd)
        _ = FileCall.close(fd)
        FileLockRegistry.blocks.release(name)
    }
}
