#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Stores each session in its own file, Laravel's and Goravel's `file` driver.
///
/// - One file per session in ``folder``, named exactly the 32-character ID. IDs are validated by
///   type, so no path is ever built from unchecked text. The folder is created (mode 0700, with
///   any missing parent folders) by ``open()``, or by the first write when `open` was not called;
///   session files have mode 0600.
/// - Writes are atomic: the payload goes to a temporary file in the same folder
///   (`.tmp-<id>-<random hex>`), whose modification time is set to the clock's `now`, and the
///   temporary file is then renamed over the session's file. A reader sees the old payload or the
///   new one, never a mix, and a failed write (a full disk, say) leaves the previous file intact.
/// - No fsync by default: a killed process cannot corrupt anything, but a power cut may lose the
///   last writes. With `files_fsync` (``SessionConfig/filesFsync``) each write fsyncs the file
///   before the rename and the folder after it.
/// - Several processes may share one folder; they agree on expiry because it lives in the files.
/// - A session expires when its file's modification time plus the lifetime is before the clock's
///   `now` (exactly at the lifetime it is still readable, as in Laravel). ``touch(_:)`` renews it
///   by setting the modification time; ``write(_:payload:)`` renews it by rewriting the file.
/// - ``gc()`` removes only regular files named like a session ID that have expired, and stale
///   temporary files left by a crashed writer. It never deletes anything else in the folder
///   (other files, folders, symbolic links, `.gitignore`).
///
/// Two requests of one session that overlap are last-writer-wins for now (a later change adds
/// locking). A write that lands exactly between gc's expiry check of a session and its removal
/// of the file is lost; the session was expired a moment before, so this needs a request that
/// read the session before it expired and saved it just after.
///
/// The driver's methods make blocking system calls on the calling task; files are small.
///
/// ```swift
/// let driver = FileSessionDriver(folder: "storage/framework/sessions", lifetime: .seconds(7200))
/// try await driver.open()
/// try await driver.write(id, payload: bytes)
/// let stored = try await driver.read(id)
/// ```
public struct FileSessionDriver: SessionDriver {
    /// The absolute path of the folder that holds the session files.
    public let folder: String
    /// The idle lifetime after which a session that was neither written nor touched expires.
    public let lifetime: Duration
    /// Whether each write fsyncs the file and then the folder (`files_fsync`).
    public let fsync: Bool
    /// The clock read for expiry and written into the files' modification times.
    public let clock: SessionClock
    /// How old a temporary file left by a failed or crashed write must be before ``gc()``
    /// removes it. Default 10 minutes.
    public var tempGracePeriod: Duration = .seconds(600)
    /// The largest session file ``read(_:)`` loads and ``write(_:payload:)`` stores, in bytes;
    /// larger ones throw ``FileSessionDriverError/fileTooLarge(folder:size:limit:)``. Default 16 MiB.
    public var maxFileBytes: Int = 16 * 1024 * 1024

    /// The prefix of temporary files' names.
    static let temporaryPrefix = ".tmp-"

    /// Creates a driver from the manager's context: the folder is `config.files` (relative to the
    /// current working directory unless absolute), fsync is `config.filesFsync`, and the lifetime
    /// and clock are the context's.
    public init(context: SessionDriverContext) {
        self.init(
            folder: context.config.files,
            lifetime: context.lifetime,
            fsync: context.config.filesFsync,
            clock: context.clock
        )
    }

    /// Creates a driver that stores sessions in `folder` (relative to the current working
    /// directory unless absolute) and expires them after `lifetime` without activity.
    ///
    /// - Parameters:
    ///   - folder: The folder for the session files; created by ``open()`` when missing.
    ///   - lifetime: The idle lifetime.
    ///   - fsync: Whether each write fsyncs the file and the folder, for durability against
    ///     power loss. Default false.
    ///   - clock: The clock read for expiry. Default ``SessionClock/system``.
    public init(folder: String, lifetime: Duration, fsync: Bool = false, clock: SessionClock = .system) {
        self.folder = Self.absolutePath(folder)
        self.lifetime = lifetime
        self.fsync = fsync
        self.clock = clock
    }

    // MARK: - SessionDriver

    /// Creates the folder, and any missing parent folders, with mode 0700 when it is missing.
    /// Throws when the path exists but is not a folder, or cannot be created.
    public func open() async throws {
        try createFolder(folder)
    }

    /// The payload stored under `id` and its last activity (the file's modification time), or nil
    /// when the file is missing or expired. Throws when the file is larger than ``maxFileBytes``
    /// or cannot be read.
    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        let fd = sysOpen(path(for: id), O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileSessionDriverError.systemCall(operation: "open a session file", folder: folder, code: code)
        }
        defer { _ = sysClose(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: errno)
        }
        guard Self.isRegularFile(info) else {
            throw FileSessionDriverError.notAFile(operation: "read a session file", folder: folder)
        }
        let modified = Self.modificationTime(info)
        if isExpired(modified: modified, now: clock.now, after: lifetime) { return nil }

        let size = Int(info.st_size)
        guard size <= maxFileBytes else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: size, limit: maxFileBytes)
        }
        let payload = try readAll(fd, expected: size)
        return StoredSession(payload: payload, lastActivity: Self.date(of: modified))
    }

    /// Atomically replaces the file of `id` with `payload` and sets its modification time to the
    /// clock's `now`. On failure the previous file is left intact, the temporary file is removed,
    /// and a ``FileSessionDriverError`` is thrown.
    public func write(_ id: SessionIdentifier, payload: [UInt8]) async throws {
        guard payload.count <= maxFileBytes else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: payload.count, limit: maxFileBytes)
        }
        let (fd, temporaryPath) = try createTemporaryFile(for: id)
        var isOpen = true
        do {
            if let code = writeAll(fd, payload) {
                throw FileSessionDriverError.systemCall(operation: "write a temporary file", folder: folder, code: code)
            }
            let stamp = Self.timeSpec(of: clock.now)
            let times = [stamp, stamp]
            guard futimens(fd, times) == 0 else {
                throw FileSessionDriverError.systemCall(operation: "set a temporary file's time", folder: folder, code: errno)
            }
            if fsync, let code = syncDescriptor(fd) {
                throw FileSessionDriverError.systemCall(operation: "fsync a temporary file", folder: folder, code: code)
            }
            isOpen = false
            // After close fails the descriptor is released anyway; EINTR there is not a failure.
            if sysClose(fd) != 0 {
                let code = errno
                if code != EINTR {
                    throw FileSessionDriverError.systemCall(operation: "close a temporary file", folder: folder, code: code)
                }
            }
            guard rename(temporaryPath, path(for: id)) == 0 else {
                throw FileSessionDriverError.systemCall(operation: "rename a temporary file over a session file", folder: folder, code: errno)
            }
        } catch {
            if isOpen { _ = sysClose(fd) }
            _ = unlink(temporaryPath)
            throw error
        }
        if fsync { try syncFolder() }
    }

    /// Removes the file of `id`; succeeds when it is already gone.
    public func destroy(_ id: SessionIdentifier) async throws {
        guard unlink(path(for: id)) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw FileSessionDriverError.systemCall(operation: "remove a session file", folder: folder, code: code)
        }
    }

    /// Sets the modification (and access) time of the file of `id` to the clock's `now` without
    /// rewriting it. Returns false, and creates nothing, when the file is missing or expired.
    @discardableResult
    public func touch(_ id: SessionIdentifier) async throws -> Bool {
        // Checking and touching through one descriptor touches the inode that was checked.
        let fd = sysOpen(path(for: id), O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return false }
            throw FileSessionDriverError.systemCall(operation: "open a session file", folder: folder, code: code)
        }
        defer { _ = sysClose(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: errno)
        }
        guard Self.isRegularFile(info) else {
            throw FileSessionDriverError.notAFile(operation: "touch a session file", folder: folder)
        }
        let now = clock.now
        if isExpired(modified: Self.modificationTime(info), now: now, after: lifetime) { return false }

        let stamp = Self.timeSpec(of: now)
        let times = [stamp, stamp]
        guard futimens(fd, times) == 0 else {
            throw FileSessionDriverError.systemCall(operation: "set a session file's time", folder: folder, code: errno)
        }
        return true
    }

    /// Removes expired session files and temporary files older than ``tempGracePeriod``, and
    /// returns how many session files it removed. Only regular files whose names are a valid
    /// session ID, or `.tmp-` + ID + `-` + hex, are considered; a missing folder removes nothing.
    /// When some file could not be removed, the others are still removed and the first failure
    /// is thrown.
    public func gc() async throws -> Int {
        guard let directory = opendir(folder) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return 0 }
            throw FileSessionDriverError.systemCall(operation: "list the folder", folder: folder, code: code)
        }
        defer { _ = closedir(directory) }

        let now = clock.now
        var removed = 0
        var firstFailure: FileSessionDriverError?
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0, firstFailure == nil {
                    firstFailure = .systemCall(operation: "list the folder", folder: folder, code: errno)
                }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let isSession: Bool
            if Self.isSessionFileName(name) {
                isSession = true
            } else if Self.isTemporaryFileName(name) {
                isSession = false
            } else {
                continue
            }

            // The name is ASCII that was validated above, so the path is exactly the entry's.
            let entryPath = folder + "/" + name
            var info = stat()
            guard lstat(entryPath, &info) == 0, Self.isRegularFile(info) else { continue }
            let limit = isSession ? lifetime : tempGracePeriod
            guard isExpired(modified: Self.modificationTime(info), now: now, after: limit) else { continue }

            if unlink(entryPath) == 0 {
                if isSession { removed += 1 }
            } else if errno != ENOENT, firstFailure == nil {
                firstFailure = .systemCall(operation: "remove an expired file", folder: folder, code: errno)
            }
        }
        if let firstFailure { throw firstFailure }
        return removed
    }

    // MARK: - Paths and names

    /// The path of the file of `id`.
    func path(for id: SessionIdentifier) -> String {
        folder + "/" + id.description
    }

    /// `path` made absolute against the current working directory, without trailing slashes.
    static func absolutePath(_ path: String) -> String {
        var result = path
        if !result.hasPrefix("/") {
            let base = FileManager.default.currentDirectoryPath
            result = result.isEmpty ? base : (base.hasSuffix("/") ? base + result : base + "/" + result)
        }
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// Whether `name` is a session file's name: a valid ID.
    static func isSessionFileName(_ name: String) -> Bool {
        name.utf8.count == SessionIdentifier.length && SessionIdentifier(validating: name) != nil
    }

    /// Whether `name` is a temporary file's name: `.tmp-` + a valid ID + `-` + one or more
    /// lowercase or uppercase hex digits.
    static func isTemporaryFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let prefix = Array(temporaryPrefix.utf8)
        let idEnd = prefix.count + SessionIdentifier.length
        guard bytes.count > idEnd + 1, bytes.starts(with: prefix), bytes[idEnd] == UInt8(ascii: "-") else {
            return false
        }
        guard SessionIdentifier(validating: String(decoding: bytes[prefix.count..<idEnd], as: UTF8.self)) != nil else {
            return false
        }
        return bytes[(idEnd + 1)...].allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }

    // MARK: - File operations

    /// Creates `path` and its missing parents with mode 0700; succeeds when it is already a folder.
    private func createFolder(_ path: String) throws {
        if mkdir(path, 0o700) == 0 {
            // The umask may have removed bits; the folder is private to the owner.
            _ = chmod(path, 0o700)
            return
        }
        let code = errno
        switch code {
        case EEXIST:
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw FileSessionDriverError.systemCall(operation: "create the folder", folder: folder, code: errno)
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FileSessionDriverError.systemCall(operation: "create the folder", folder: folder, code: ENOTDIR)
            }
        case ENOENT:
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
                throw FileSessionDriverError.systemCall(operation: "create the folder", folder: folder, code: code)
            }
            try createFolder(String(path[..<slash]))
            if mkdir(path, 0o700) == 0 {
                _ = chmod(path, 0o700)
            } else if errno != EEXIST {
                throw FileSessionDriverError.systemCall(operation: "create the folder", folder: folder, code: errno)
            }
        default:
            throw FileSessionDriverError.systemCall(operation: "create the folder", folder: folder, code: code)
        }
    }

    /// Creates `.tmp-<id>-<random hex>` with O_EXCL and mode 0600, creating the folder first when
    /// it is missing. Returns the open descriptor and the file's path.
    private func createTemporaryFile(for id: SessionIdentifier) throws -> (Int32, String) {
        var createdFolder = false
        var attempts = 0
        while true {
            attempts += 1
            let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
            let name = Self.temporaryPrefix + id.description + "-" + String(repeating: "0", count: 16 - suffix.count) + suffix
            let temporaryPath = folder + "/" + name
            let fd = sysOpen(temporaryPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                // The umask may have removed bits; session files are private to the owner.
                _ = fchmod(fd, 0o600)
                return (fd, temporaryPath)
            }
            let code = errno
            if code == EINTR || (code == EEXIST && attempts < 8) { continue }
            if code == ENOENT, !createdFolder {
                try createFolder(folder)
                createdFolder = true
                continue
            }
            throw FileSessionDriverError.systemCall(operation: "create a temporary file", folder: folder, code: code)
        }
    }

    /// Writes all of `bytes` to `fd`, retrying partial writes and EINTR. Returns the errno of a
    /// failure, or nil.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = sysWrite(fd, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written == 0 {
                    return EIO
                } else if errno != EINTR {
                    return errno
                }
            }
            return nil
        }
    }

    /// Reads `fd` to its end, refusing more than ``maxFileBytes``.
    private func readAll(_ fd: Int32, expected: Int) throws -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(expected)
        // One byte more than expected, so a file read whole ends with one more call that sees EOF.
        var chunk = [UInt8](repeating: 0, count: max(1, min(expected + 1, 64 * 1024)))
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return sysRead(fd, base, buffer.count)
            }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSessionDriverError.systemCall(operation: "read a session file", folder: folder, code: errno)
            }
            guard result.count + count <= maxFileBytes else {
                throw FileSessionDriverError.fileTooLarge(folder: folder, size: result.count + count, limit: maxFileBytes)
            }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// fsyncs `fd`, retrying EINTR. Returns the errno of a failure, or nil.
    private func syncDescriptor(_ fd: Int32) -> Int32? {
        while sysFsync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return nil
    }

    /// fsyncs the folder, so a rename in it survives a power cut.
    private func syncFolder() throws {
        let fd = sysOpen(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else {
            throw FileSessionDriverError.systemCall(operation: "open the folder for fsync", folder: folder, code: errno)
        }
        defer { _ = sysClose(fd) }
        if let code = syncDescriptor(fd) {
            throw FileSessionDriverError.systemCall(operation: "fsync the folder", folder: folder, code: code)
        }
    }

    // MARK: - Time

    /// Whether a file modified at `modified` is older than `limit` at `now`. Differences below a
    /// microsecond count as equal, because `Date` cannot hold every nanosecond exactly: a file is
    /// still valid exactly at the limit.
    private func isExpired(modified: timespec, now: Date, after limit: Duration) -> Bool {
        let age = Self.instant(Self.timeSpec(of: now)) - Self.instant(modified)
        return age > limit + .microseconds(1)
    }

    /// `date` as a timespec since the Unix epoch.
    static func timeSpec(of date: Date) -> timespec {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return timespec(tv_sec: 0, tv_nsec: 0) }
        var seconds = interval.rounded(.down)
        var nanoseconds = ((interval - seconds) * 1e9).rounded()
        if nanoseconds >= 1e9 {
            seconds += 1
            nanoseconds -= 1e9
        }
        let wholeSeconds = time_t(exactly: seconds) ?? (seconds < 0 ? time_t.min : time_t.max)
        return timespec(tv_sec: wholeSeconds, tv_nsec: Int(nanoseconds))
    }

    /// `time` as a duration since the Unix epoch.
    static func instant(_ time: timespec) -> Duration {
        .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    /// `time` as a date.
    static func date(of time: timespec) -> Date {
        Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
    }

    /// The modification time in `info`.
    static func modificationTime(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_mtimespec
        #else
        info.st_mtim
        #endif
    }

    /// Whether `info` describes a regular file.
    static func isRegularFile(_ info: stat) -> Bool {
        (info.st_mode & S_IFMT) == S_IFREG
    }
}

/// Why a ``FileSessionDriver`` call failed. Messages name the operation, the folder and the
/// system's error text, never a session ID.
public enum FileSessionDriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with `code` (an errno value) while doing `operation` in `folder`.
    case systemCall(operation: String, folder: String, code: Int32)
    /// A session file, or a payload to write, is larger than the driver's limit.
    case fileTooLarge(folder: String, size: Int, limit: Int)
    /// The path of a session in `folder` exists but is not a regular file.
    case notAFile(operation: String, folder: String)

    /// A one-line message naming the operation, the folder and the cause, never a session ID.
    public var description: String {
        switch self {
        case .systemCall(let operation, let folder, let code):
            "file session driver could not \(operation) in \(folder): \(String(cString: strerror(code))) (errno \(code))"
        case .fileTooLarge(let folder, let size, let limit):
            "file session driver refused a session file of \(size) bytes in \(folder): the limit is \(limit) bytes"
        case .notAFile(let operation, let folder):
            "file session driver could not \(operation) in \(folder): the path is not a regular file"
        }
    }
}

// Thin wrappers: inside the driver, `open`, `read`, `write` and `close` name its own methods.
#if canImport(Glibc)
private func sysOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
private func sysClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
private func sysFsync(_ fd: Int32) -> Int32 { Glibc.fsync(fd) }
#elseif canImport(Darwin)
private func sysOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
private func sysClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
private func sysFsync(_ fd: Int32) -> Int32 { Darwin.fsync(fd) }
#endif
