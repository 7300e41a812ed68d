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
    /// Only regular files named exactly like the driver's own are considered: a valid session
    /// ID, `.tmp-` + ID + `-` + hex, `.lock-` + ID, `.block-` + ID. A session file is removed
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
        for id in listing.sessions.union(listing.locks) {
            do {
                if try collectSession(id, now: now) { removed += 1 }
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        for id in listing.blocks {
            do {
                try removeStaleBlockFile(id)
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        if let firstFailure { throw firstFailure }
        return removed
    }

    /// The names in the folder that gc looks at, sorted by kind; nil when the folder is missing.
    private func listFolder() throws -> (temporaries: [String], sessions: Set<SessionIdentifier>, locks: Set<SessionIdentifier>, blocks: [SessionIdentifier])? {
        guard let directory = opendir(folder) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileSessionDriverError.systemCall(operation: "list the folder", folder: folder, code: code)
        }
        defer { _ = closedir(directory) }

        var temporaries: [String] = []
        var sessions = Set<SessionIdentifier>()
        var locks = Set<SessionIdentifier>()
        var blocks: [SessionIdentifier] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 {
                    throw FileSessionDriverError.systemCall(operation: "list the folder", folder: folder, code: errno)
                }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if Self.isSessionFileName(name), let id = SessionIdentifier(validating: name) {
                sessions.insert(id)
            } else if Self.isTemporaryFileName(name) {
                temporaries.append(name)
            } else if let id = Self.identifier(in: name, after: Self.lockPrefix) {
                locks.insert(id)
            } else if let id = Self.identifier(in: name, after: Self.blockPrefix) {
                blocks.append(id)
            }
        }
        return (temporaries, sessions, locks, blocks)
    }

    /// Removes the session file of `id` when it has expired, with its lock file, or only the
    /// lock file when the session file is missing. Returns whether a session file was removed.
    private func collectSession(_ id: SessionIdentifier, now: Date) throws -> Bool {
        let sessionPath = path(for: id)
        var info = stat()
        if lstat(sessionPath, &info) != 0 {
            let code = errno
            guard code == ENOENT else {
                throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: code)
            }
            try removeOrphanLockFile(id)
            return false
        }
        // No deadline is earlier than the modification time: a later one is not expired.
        guard Self.isRegularFile(info), isPast(Self.instant(Self.modificationTime(info)), now: now) else {
            return false
        }
        // Being written (claimed or locked): the next gc will see.
        guard FileLockRegistry.records.tryClaim(id) else { return false }
        defer { FileLockRegistry.records.release(id) }
        guard case .held(let fd) = try lockFile(at: lockPath(for: id), create: true, wait: false) else { return false }
        defer { _ = FileCall.close(fd) }
        // Checked again under the lock: a write may have renewed it since the listing.
        guard try hasExpired(id, now: now) else { return false }
        guard unlink(sessionPath) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw FileSessionDriverError.systemCall(operation: "remove an expired file", folder: folder, code: code)
        }
        _ = Self.unlinkIfStillLinked(lockPath(for: id), holding: fd)
        return true
    }

    /// Whether the file of `id` is a session file (a regular file in a session layout holding a
    /// whole record) whose deadline has passed at `now`. Anything else named like an ID is not
    /// the driver's to delete.
    private func hasExpired(_ id: SessionIdentifier, now: Date) throws -> Bool {
        var info = stat()
        guard lstat(path(for: id), &info) == 0, Self.isRegularFile(info),
            let (fd, opened) = try openSessionFile(id, operation: "collect a session file")
        else { return false }
        defer { _ = FileCall.close(fd) }
        guard let record = try readSlots(fd, opened).flatMap({ layout, bytes in layout.winner(in: bytes)?.record }) else {
            return false
        }
        return isPast(deadline(of: opened, record), now: now)
    }

    /// Removes the record lock file of `id` when nobody holds it and its session file is missing.
    private func removeOrphanLockFile(_ id: SessionIdentifier) throws {
        let path = lockPath(for: id)
        var info = stat()
        guard lstat(path, &info) == 0, Self.isRegularFile(info) else { return }
        guard FileLockRegistry.records.tryClaim(id) else { return }
        defer { FileLockRegistry.records.release(id) }
        guard case .held(let fd) = try lockFile(at: path, create: false, wait: false) else { return }
        defer { _ = FileCall.close(fd) }
        removeLockFileIfSessionMissing(id, holding: fd)
    }

    /// Removes the session lock file of `id` when nobody holds it: a holder that died left it.
    private func removeStaleBlockFile(_ id: SessionIdentifier) throws {
        let path = blockPath(for: id)
        var info = stat()
        guard lstat(path, &info) == 0, Self.isRegularFile(info) else { return }
        guard FileLockRegistry.blocks.tryClaim(id) else { return }
        defer { FileLockRegistry.blocks.release(id) }
        guard case .held(let fd) = try lockFile(at: path, create: false, wait: false) else { return }
        defer { _ = FileCall.close(fd) }
        _ = Self.unlinkIfStillLinked(path, holding: fd)
    }
}
