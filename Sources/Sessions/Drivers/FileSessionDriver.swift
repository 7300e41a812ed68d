#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Stores each session in its own file, Laravel's and Goravel's `file` driver, with atomic
/// read-merge-write (``AtomicSessionDriver``) and per-session locks (``SessionLockingDriver``)
/// that hold across threads and processes.
///
/// - One file per session in ``folder``, named exactly the 32-character ID. IDs are validated by
///   type, so no path is ever built from unchecked text. The folder is created (mode 0700, with
///   any missing parent folders) by ``open()``, or by the first write when `open` was not called;
///   every file the driver creates has mode 0600.
/// - File format: the 4 bytes `SSF1`, the session's version as 8 bytes little-endian, then the
///   payload. A file under an ID that does not start with that header (written by something
///   else, or cut short) reads as no session; ``gc()`` removes it once it has expired like any
///   session file.
/// - Versions: every write, conditional or not, stores a fresh random nonzero 64-bit version
///   from the system's random number generator, so processes sharing the folder never hand out
///   the same one (with overwhelming probability). ``touch(_:)`` keeps the version.
/// - Writes are atomic: the file goes to a temporary file in the same folder
///   (`.tmp-<id>-<random hex>`), whose modification time is set to the clock's `now`, and the
///   temporary file is then renamed over the session's file. A reader sees the old file or the
///   new one, never a mix, and a failed or killed write leaves the previous file intact.
/// - Writes, conditional writes and destroys of one session are serialised across threads and
///   processes: each holds a per-ID in-process lock and then a POSIX record lock
///   (`fcntl(F_SETLKW)`) on the lock file `.lock-<id>` beside the session. A conditional write
///   compares the stored version under those locks. Reads and touches take no lock.
/// - Session locks (``lock(_:lease:wait:)``) are POSIX record locks on `.block-<id>`, held for the
///   request; the operating system releases them when a process dies.
/// - No fsync by default: a killed process cannot corrupt anything, but a power cut may lose the
///   last writes. With `files_fsync` (``SessionConfig/filesFsync``) each write fsyncs the file
///   before the rename and the folder after it.
/// - A session expires when its file's modification time plus the lifetime is before the clock's
///   `now` (exactly at the lifetime it is still readable, as in Laravel). ``touch(_:)`` renews it
///   by setting the modification time; a write renews it by rewriting the file.
/// - ``gc()`` removes only regular files whose names it made: expired session files, stale
///   temporary files left by a crashed writer, and lock files nobody holds whose session is gone.
///   It never deletes anything else in the folder (other files, folders, symbolic links,
///   `.gitignore`).
///
/// A touch that lands between gc's expiry check of a session and its removal is lost: the
/// session had expired a moment before, so this needs a request that read the session before it
/// expired and touched it just after.
///
/// The driver's methods make blocking system calls on the calling task (files are small); a
/// write may wait on the record lock while another process writes the same session.
///
/// ```swift
/// let driver = FileSessionDriver(folder: "storage/framework/sessions", lifetime: .seconds(7200))
/// try await driver.open()
/// try await driver.write(id, payload: bytes)
/// let stored = try await driver.read(id)
/// ```
public struct FileSessionDriver: AtomicSessionDriver {
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
    /// The largest payload ``read(_:)`` loads and a write stores, in bytes (the file's 12-byte
    /// header is not counted); larger ones throw
    /// ``FileSessionDriverError/fileTooLarge(folder:size:limit:)``. Default 16 MiB.
    public var maxFileBytes: Int = 16 * 1024 * 1024

    /// The prefix of temporary files' names.
    static let temporaryPrefix = ".tmp-"
    /// The prefix of the record lock files that serialise writes of one session.
    static let lockPrefix = ".lock-"
    /// The prefix of the session lock files (``SessionLockingDriver``).
    static let blockPrefix = ".block-"

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

    /// The payload, version and last activity (the file's modification time) stored under `id`,
    /// or nil when the file is missing, expired, or lacks the driver's header. Throws when the
    /// payload is larger than ``maxFileBytes`` or the file cannot be read.
    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        guard let (fd, info) = try openSessionFile(id, operation: "read a session file") else { return nil }
        defer { _ = FileCall.close(fd) }

        let modified = Self.modificationTime(info)
        if isExpired(modified: modified, now: clock.now, after: lifetime) { return nil }
        guard let version = try readHeader(fd) else { return nil }

        let size = Int(info.st_size) - SessionFileHeader.size
        guard size <= maxFileBytes else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: size, limit: maxFileBytes)
        }
        let payload = try readAll(fd, expected: max(0, size))
        return StoredSession(payload: payload, lastActivity: Self.date(of: modified), version: version)
    }

    /// Atomically replaces the file of `id` with `payload` under a fresh version and sets its
    /// modification time to the clock's `now`. Waits for a write of the same session in another
    /// thread or process to finish first. On failure the previous file is left intact, the
    /// temporary file is removed, and a ``FileSessionDriverError`` is thrown.
    public func write(_ id: SessionIdentifier, payload: [UInt8]) async throws {
        try checkPayloadSize(payload)
        try withRecordLock(id, creatingFolder: true) { _ in
            try replaceFile(of: id, payload: payload, version: Self.newVersion())
        }
        if fsync { try syncFolder() }
    }

    /// Stores `payload` under `id` only if the live session there has version `expected`, or,
    /// when `expected` is nil, only if there is no live session (a file that is missing,
    /// expired, or lacks the driver's header). The comparison and the write happen under the
    /// session's record lock, so they are atomic across threads and processes.
    public func write(_ id: SessionIdentifier, payload: [UInt8], ifVersion expected: UInt64?) async throws -> ConditionalWrite {
        try checkPayloadSize(payload)
        let result = try withRecordLock(id, creatingFolder: expected == nil) { lockFD -> ConditionalWrite in
            // No lock file because the folder is missing: there is no session either.
            guard let lockFD else { return .missing }
            let live = try liveVersion(of: id)
            switch (expected, live) {
            case (nil, nil):
                break
            case (nil, .some):
                return .conflict
            case (.some, nil):
                removeLockFileIfSessionMissing(id, holding: lockFD)
                return .missing
            case (.some(let expected), .some(let live)):
                if expected != live { return .conflict }
            }
            let version = Self.newVersion()
            try replaceFile(of: id, payload: payload, version: version)
            return .written(version: version)
        }
        if fsync, case .written = result { try syncFolder() }
        return result
    }

    /// Removes the file of `id` (and its lock file); succeeds when it is already gone. Waits for
    /// a write of the same session in another thread or process to finish first.
    public func destroy(_ id: SessionIdentifier) async throws {
        try withRecordLock(id, creatingFolder: false) { lockFD in
            if unlink(path(for: id)) != 0 {
                let code = errno
                if code != ENOENT && code != ENOTDIR {
                    throw FileSessionDriverError.systemCall(operation: "remove a session file", folder: folder, code: code)
                }
            }
            if let lockFD { removeLockFileIfSessionMissing(id, holding: lockFD) }
        }
    }

    /// Sets the modification (and access) time of the file of `id` to the clock's `now` without
    /// rewriting it, keeping its version. Returns false, and creates nothing, when the file is
    /// missing, expired or lacks the driver's header.
    @discardableResult
    public func touch(_ id: SessionIdentifier) async throws -> Bool {
        // Checking and touching through one descriptor touches the inode that was checked.
        guard let (fd, info) = try openSessionFile(id, operation: "touch a session file") else { return false }
        defer { _ = FileCall.close(fd) }

        let now = clock.now
        if isExpired(modified: Self.modificationTime(info), now: now, after: lifetime) { return false }
        guard try readHeader(fd) != nil else { return false }

        let stamp = Self.timeSpec(of: now)
        let times = [stamp, stamp]
        guard futimens(fd, times) == 0 else {
            throw FileSessionDriverError.systemCall(operation: "set a session file's time", folder: folder, code: errno)
        }
        return true
    }

    // MARK: - Versions

    /// A fresh random nonzero version from the system's random number generator.
    static func newVersion() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// The version of the live session stored under `id`, or nil when the file is missing,
    /// expired or lacks the header.
    func liveVersion(of id: SessionIdentifier) throws -> UInt64? {
        guard let (fd, info) = try openSessionFile(id, operation: "read a session file") else { return nil }
        defer { _ = FileCall.close(fd) }
        if isExpired(modified: Self.modificationTime(info), now: clock.now, after: lifetime) { return nil }
        return try readHeader(fd)
    }

    /// Throws when `payload` is larger than ``maxFileBytes``.
    private func checkPayloadSize(_ payload: [UInt8]) throws {
        guard payload.count <= maxFileBytes else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: payload.count, limit: maxFileBytes)
        }
    }

    // MARK: - Paths and names

    /// The path of the file of `id`.
    func path(for id: SessionIdentifier) -> String {
        folder + "/" + id.description
    }

    /// The path of the record lock file of `id`.
    func lockPath(for id: SessionIdentifier) -> String {
        folder + "/" + Self.lockPrefix + id.description
    }

    /// The path of the session lock file of `id`.
    func blockPath(for id: SessionIdentifier) -> String {
        folder + "/" + Self.blockPrefix + id.description
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

    /// The ID in `name` when it is `prefix` followed by exactly a valid ID, else nil.
    static func identifier(in name: String, after prefix: String) -> SessionIdentifier? {
        guard name.utf8.count == prefix.utf8.count + SessionIdentifier.length, name.hasPrefix(prefix) else { return nil }
        return SessionIdentifier(validating: name.dropFirst(prefix.count))
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

    // MARK: - Time

    /// Whether a file modified at `modified` is older than `limit` at `now`. Differences below a
    /// microsecond count as equal, because `Date` cannot hold every nanosecond exactly: a file is
    /// still valid exactly at the limit.
    func isExpired(modified: timespec, now: Date, after limit: Duration) -> Bool {
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
    /// A session's payload, read or to write, is larger than the driver's limit.
    case fileTooLarge(folder: String, size: Int, limit: Int)
    /// The path of a session (or of its lock file) in `folder` exists but is not a regular file.
    case notAFile(operation: String, folder: String)

    /// A one-line message naming the operation, the folder and the cause, never a session ID.
    public var description: String {
        switch self {
        case .systemCall(let operation, let folder, let code):
            "file session driver could not \(operation) in \(folder): \(String(cString: strerror(code))) (errno \(code))"
        case .fileTooLarge(let folder, let size, let limit):
            "file session driver refused a session of \(size) bytes in \(folder): the limit is \(limit) bytes"
        case .notAFile(let operation, let folder):
            "file session driver could not \(operation) in \(folder): the path is not a regular file"
        }
    }
}
