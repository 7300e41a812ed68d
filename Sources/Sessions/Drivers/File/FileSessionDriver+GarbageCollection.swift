#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension FileSessionDriver {
    /// Removes expired session files, temporary files older than ``tempGracePeriod``, and lock
    /// files that nobody holds and whose session is gone; returns how many session files it
    /// removed. A temporary file's age counts from the earlier of its modification and
    /// status-change times (one laid out anew carries its session's deadline, maybe far ahead).
    ///
    /// Only regular files named exactly like the driver's own are considered: a session file name
    /// (``SessionFileName``), `.tmp-` + name + `-` + hex, `.lock-` + name, `.block-` + name. A session file is removed
    /// while holding its record lock (a write in progress makes gc skip it until the next run),
    /// so a conditional write never lands on a file gc is removing. A lock file is removed only
    /// while gc holds its lock, and only if it is still the file at its path; a writer that
    /// locked it meanwhile sees that it is gone and takes the new one. A missing folder removes
    /// nothing. When some file could not be removed, the others are still removed and the first
    /// failure is thrown.
    public func gc() async throws -> Int {
        guard let listing = try listFolder() else { return 0 }
        let now = clock.now
        var removed = 0
        var firstFailure: (any Error)?

        for name in listing.temporaries {
            let entryPath = folder + "/" + name
            var info = stat()
            guard lstat(entryPath, &info) == 0, Self.isRegularFile(info) else { continue }
            let changed = min(Self.instant(Self.modificationTime(info)), Self.instant(Self.statusChangeTime(info)))
            guard isPast(changed + tempGracePeriod, now: now) else { continue }
            if unlink(entryPath) != 0, errno != ENOENT, firstFailure == nil {
                firstFailure = FileSessionDriverError.systemCall(operation: "remove an expired file", folder: folder, code: errno)
            }
        }
        for name in listing.sessions.union(listing.locks) {
            do {
                if try collectSession(name, now: now) { removed += 1 }
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        for name in listing.blocks {
            do {
                try removeStaleBlockFile(name)
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        if let firstFailure { throw firstFailure }
        return removed
    }

    /// The names in the folder that gc looks at, sorted by kind; nil when the folder is missing.
    private func listFolder() throws -> (temporaries: [String], sessions: Set<SessionFileName>, locks: Set<SessionFileName>, blocks: [SessionFileName])? {
        guard let entryNames = try folderEntryNames() else { return nil }
        var temporaries: [String] = []
        var sessions = Set<SessionFileName>()
        var locks = Set<SessionFileName>()
        var blocks: [SessionFileName] = []
        for entryName in entryNames {
            if let name = SessionFileName(entryName) {
                sessions.insert(name)
            } else if Self.isTemporaryFileName(entryName) {
                temporaries.append(entryName)
            } else if let name = Self.fileName(in: entryName, after: Self.lockPrefix) {
                locks.insert(name)
            } else if let name = Self.fileName(in: entryName, after: Self.blockPrefix) {
                blocks.append(name)
            }
        }
        return (temporaries, sessions, locks, blocks)
    }

    /// Removes the session file named `name` when it has expired, with its lock file, or only the
    /// lock file when the session file is missing. Returns whether a session file was removed.
    private func collectSession(_ name: SessionFileName, now: Date) throws -> Bool {
        let sessionPath = path(for: name)
        var info = stat()
        if lstat(sessionPath, &info) != 0 {
            let code = errno
            guard code == ENOENT else {
                throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: code)
            }
            try removeOrphanLockFile(name)
            return false
        }
        // No deadline is earlier than the modification time: a later one is not expired.
        guard Self.isRegularFile(info), isPast(Self.instant(Self.modificationTime(info)), now: now) else {
            return false
        }
        // Being written (claimed or locked): the next gc will see.
        guard FileLockRegistry.records.tryClaim(name) else { return false }
        defer { FileLockRegistry.records.release(name) }
        guard case .held(let fd) = try lockFile(at: lockPath(for: name), create: true, wait: false) else { return false }
        defer { _ = FileCall.close(fd) }
        // Checked again under the lock: a write may have renewed it since the listing.
        guard try hasExpired(name, now: now) else { return false }
        guard unlink(sessionPath) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw FileSessionDriverError.systemCall(operation: "remove an expired file", folder: folder, code: code)
        }
        _ = Self.unlinkIfStillLinked(lockPath(for: name), holding: fd)
        return true
    }

    /// Whether the file named `name` is a session file (a regular file in a session layout holding a
    /// whole record) whose deadline has passed at `now`. Anything else named like one is not
    /// the driver's to delete.
    private func hasExpired(_ name: SessionFileName, now: Date) throws -> Bool {
        var info = stat()
        guard lstat(path(for: name), &info) == 0, Self.isRegularFile(info),
            let (fd, opened) = try openSessionFile(name, operation: "collect a session file")
        else { return false }
        defer { _ = FileCall.close(fd) }
        guard let record = try readSlots(fd, opened).flatMap({ layout, bytes in layout.winner(in: bytes)?.record }) else {
            return false
        }
        return isPast(deadline(of: opened, record), now: now)
    }

    /// Removes the record lock file named `name` when nobody holds it and its session file is missing.
    private func removeOrphanLockFile(_ name: SessionFileName) throws {
        let path = lockPath(for: name)
        var info = stat()
        guard lstat(path, &info) == 0, Self.isRegularFile(info) else { return }
        guard FileLockRegistry.records.tryClaim(name) else { return }
        defer { FileLockRegistry.records.release(name) }
        guard case .held(let fd) = try lockFile(at: path, create: false, wait: false) else { return }
        defer { _ = FileCall.close(fd) }
        removeLockFileIfSessionMissing(name, holding: fd)
    }

    /// Removes the session lock file named `name` when nobody holds it: a holder that died left it.
    private func removeStaleBlockFile(_ name: SessionFileName) throws {
        let path = blockPath(for: name)
        var info = stat()
        guard lstat(path, &info) == 0, Self.isRegularFile(info) else { return }
        guard FileLockRegistry.blocks.tryClaim(name) else { return }
        defer { FileLockRegistry.blocks.release(name) }
        guard case .held(let fd) = try lockFile(at: path, create: false, wait: false) else { return }
        defer { _ = FileCall.close(fd) }
        _ = Self.unlinkIfStillLinked(path, holding: fd)
    }
}
