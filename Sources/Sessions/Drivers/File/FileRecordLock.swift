import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The in-process half of the file driver's locks, shared by every ``FileSessionDriver`` in the
/// process (two drivers on one folder must exclude each other too).
///
/// POSIX record locks belong to the process, so they never exclude two threads of one process,
/// and closing *any* descriptor of a file drops all of the process's locks on it. Hence no
/// thread opens a session's lock file without first holding that session's in-process claim: then
/// only one descriptor per lock file is open in the process at a time.
///
/// Keyed by file name alone, not by folder: the same session in two folders shares a claim, which only ever
/// makes one wait for the other. Lock order is always in-process claim, then record lock, one
/// of each at a time, so no thread waits on a lock while holding one another waits on.
enum FileLockRegistry {
    /// The in-process claims on record lock files (`.lock-<name>`), one per session (a stripe shared by
    /// several IDs would make every session on it wait behind one whose lock another process
    /// holds). Held across the system calls of one write; never while awaiting.
    static let records = KeyedClaims<SessionFileName>()

    /// The sessions whose session lock file (`.block-<name>`) a thread of this process holds or is
    /// trying or removing: a session lock lasts a whole request, so it is only ever tried
    /// (``KeyedClaims/tryClaim(_:)``) and polled, never waited for.
    static let blocks = KeyedClaims<SessionFileName>()
}

/// The outcome of trying to lock a lock file.
enum FileLockAttempt {
    /// Locked: the descriptor holds a write lock on the file now linked at the path. Closing it
    /// releases the lock.
    case held(Int32)
    /// Another process holds the lock (only when not waiting).
    case busy
    /// The file (when not creating) or the folder (when creating) is missing, or the file was
    /// replaced while it was being locked and no new one may be created.
    case absent
}

extension FileSessionDriver {
    /// Opens the lock file at `path` (creating it with mode 0600 when `create`), takes a POSIX
    /// write lock on the whole file (waiting for it when `wait`, else giving up with ``FileLockAttempt/busy``),
    /// and checks that the locked file is still the one linked at `path`: whoever removes a lock
    /// file does so while holding its lock, so a file locked after its removal is a stale inode.
    /// The caller must hold the session's in-process exclusion (``FileLockRegistry``).
    func lockFile(at path: String, create: Bool, wait: Bool) throws -> FileLockAttempt {
        while true {
            let flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0)
            let fd = FileCall.open(path, flags, 0o600)
            guard fd >= 0 else {
                let code = errno
                if code == EINTR { continue }
                if code == ENOENT || code == ENOTDIR { return .absent }
                throw FileSessionDriverError.systemCall(operation: "open a lock file", folder: folder, code: code)
            }
            var request = flock()
            request.l_type = Int16(F_WRLCK)
            request.l_whence = Int16(SEEK_SET)
            request.l_start = 0
            request.l_len = 0
            while fcntl(fd, wait ? F_SETLKW : F_SETLK, &request) != 0 {
                let code = errno
                if code == EINTR { continue }
                // The kernel's deadlock detection sees processes, not threads, so it can report a
                // cycle that a thread of the holder is about to break: try again shortly.
                if wait && code == EDEADLK {
                    usleep(1_000)
                    continue
                }
                _ = FileCall.close(fd)
                if !wait && (code == EAGAIN || code == EACCES) { return .busy }
                throw FileSessionDriverError.systemCall(operation: "lock a lock file", folder: folder, code: code)
            }
            var held = stat()
            var linked = stat()
            guard fstat(fd, &held) == 0 else {
                let code = errno
                _ = FileCall.close(fd)
                throw FileSessionDriverError.systemCall(operation: "stat a lock file", folder: folder, code: code)
            }
            guard Self.isRegularFile(held) else {
                _ = FileCall.close(fd)
                throw FileSessionDriverError.notAFile(operation: "lock a session", folder: folder)
            }
            if lstat(path, &linked) == 0, FileCall.sameFile(held, linked) { return .held(fd) }
            // Removed (or replaced) between open and lock: start over on the file now there.
            _ = FileCall.close(fd)
            if !create { return .absent }
        }
    }

    /// Runs `body` holding the in-process claim and the record lock of `name`, and passes it the
    /// lock file's descriptor. When the folder is missing, creates it first if `creatingFolder`,
    /// else runs `body(nil)` without a lock: there is no file to serialise against.
    ///
    /// Tries on the calling task first, without waiting; only when another thread or process
    /// holds the lock does it wait, on ``BlockingCalls``, never on the cooperative pool. With
    /// `offThePool` (a body that may block for long, such as an fsync) it runs there at once.
    func withRecordLock<Result: Sendable>(
        _ name: SessionFileName,
        creatingFolder: Bool,
        offThePool: Bool = false,
        _ body: @escaping @Sendable (Int32?) throws -> Result
    ) async throws -> Result {
        if !offThePool, case .done(let result) = try recordLocked(name, creatingFolder: creatingFolder, waiting: false, body) {
            return result
        }
        return try await BlockingCalls.run {
            while true {
                if case .done(let result) = try recordLocked(name, creatingFolder: creatingFolder, waiting: true, body) { return result }
            }
        }
    }

    /// One pass of ``withRecordLock(_:creatingFolder:_:)``: with `waiting`, waits for the claim
    /// and the record lock (blocking the thread); without, gives up at once when either is held.
    private func recordLocked<Result>(
        _ name: SessionFileName,
        creatingFolder: Bool,
        waiting: Bool,
        _ body: (Int32?) throws -> Result
    ) throws -> RecordLockPass<Result> {
        if waiting {
            FileLockRegistry.records.claim(name)
        } else if !FileLockRegistry.records.tryClaim(name) {
            return .wouldWait
        }
        defer { FileLockRegistry.records.release(name) }
        var createdFolder = false
        while true {
            switch try lockFile(at: lockPath(for: name), create: true, wait: waiting) {
            case .held(let fd):
                defer { _ = FileCall.close(fd) }
                return .done(try body(fd))
            case .absent:
                guard creatingFolder else { return .done(try body(nil)) }
                guard !createdFolder else {
                    throw FileSessionDriverError.systemCall(operation: "open a lock file", folder: folder, code: ENOENT)
                }
                try createFolder(folder)
                createdFolder = true
            case .busy:
                return .wouldWait
            }
        }
    }

    /// Removes the record lock file named `name`, whose lock `fd` holds, when the session file is
    /// gone, so destroyed sessions leave no lock file behind. A writer waiting on the removed
    /// file notices the change of inode and locks a new one.
    func removeLockFileIfSessionMissing(_ name: SessionFileName, holding fd: Int32) {
        var info = stat()
        guard lstat(path(for: name), &info) != 0, errno == ENOENT else { return }
        _ = Self.unlinkIfStillLinked(lockPath(for: name), holding: fd)
    }

    /// Unlinks `path` if it is still the file open as `fd`; returns whether it did.
    static func unlinkIfStillLinked(_ path: String, holding fd: Int32) -> Bool {
        var held = stat()
        var linked = stat()
        guard fstat(fd, &held) == 0, lstat(path, &linked) == 0, FileCall.sameFile(held, linked) else { return false }
        return unlink(path) == 0
    }
}

/// What one pass at a record lock did.
private enum RecordLockPass<Result> {
    /// It held the lock and ran the body.
    case done(Result)
    /// The lock was held elsewhere and the pass was not to wait.
    case wouldWait
}
