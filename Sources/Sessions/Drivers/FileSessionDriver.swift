#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Stores each session in its own file, Laravel's and Goravel's `file` driver, with atomic
/// read-merge-write (``SessionDriverCapabilities/conditionalWrites``) and per-session locks
/// (``SessionDriverCapabilities/sessionLocks``)
/// that hold across threads and processes.
///
/// - One file per session in ``folder``, named exactly the 32-character ID. IDs are validated by
///   type, so no path is ever built from unchecked text. The folder is created (mode 0700, with
///   any missing parent folders) by ``open()``, or by the first write when `open` was not called;
///   every file the driver creates has mode 0600.
/// - File format `SSF2`: two slots of equal size S, slot 0 at offset 0 and slot 1 at offset S,
///   and the file exactly 2·S bytes long. Each slot holds zeros or a record: the 4 bytes `SSF2`,
///   a sequence number, the session's version (both 8 bytes little-endian), the payload's length
///   (4 bytes little-endian), a CRC-32C of those fields and the payload, then the payload. The
///   session is the slot whose record is whole (its checksum matches) with the higher sequence.
///   S is the smallest power of two of at least 512 bytes and twice the record, so a payload
///   can double before the file is laid out anew. A file under an ID without a whole record in
///   that layout (written by something else, or an older format) reads as no session; ``gc()``
///   removes it once it has expired like any session file.
/// - Versions: every write, conditional or not, stores a fresh random nonzero 64-bit version
///   from the system's random number generator, so processes sharing the folder never hand out
///   the same one (with overwhelming probability). ``touch(_:)`` keeps the version.
/// - Writes go in place: a write reads the file, finds the current record, writes the new one
///   into the *other* slot with the next sequence number (`pwrite`), and sets the modification
///   time to the clock's `now`. When there is no file yet, it holds no whole record, or the
///   payload outgrew the slots (or shrank so much that a fresh file would have slots a quarter
///   their size or less), the write lays the file out anew instead: it writes a fresh file to a
///   temporary file in the same folder (`.tmp-<id>-<random hex>`) and renames it over the
///   session's file.
/// - Crash safety: a write never touches the slot of the current record, so a write that is
///   killed or fails midway leaves at most the other slot torn, and its checksum tells; the
///   session reads as before. A killed re-layout leaves the old file and a temporary file that
///   ``gc()`` removes.
/// - Reads take no lock: one `pread` of the whole file, keeping the whole record with the higher
///   sequence. The slot a write is not writing stays whole, so a reader sees the old record or
///   the new one, never a mix. Only when a read finds no whole slot (two writes raced one read,
///   or the file is damaged) or an expired file does it read once more under the session's
///   record lock.
/// - Writes, conditional writes and destroys of one session are serialised across threads and
///   processes: each holds a per-ID in-process lock and then a POSIX record lock
///   (`fcntl(F_SETLKW)`) on the lock file `.lock-<id>` beside the session. A conditional write
///   compares the stored version under those locks. Reads and touches take no lock, but for
///   the rare locked re-read above.
/// - Session locks (``lock(_:lease:wait:)``) are POSIX record locks on `.block-<id>`, held for the
///   request; the operating system releases them when a process dies.
/// - No fsync by default: a killed process cannot corrupt anything, but a power cut may lose the
///   last writes. With `files_fsync` (``fsyncSetting``) each write fsyncs the file
///   it wrote (before the rename when it laid the file out anew, and then the folder too).
/// - A session expires when its file's modification time plus the lifetime is before the clock's
///   `now` (exactly at the lifetime it is still readable, as in Laravel). ``touch(_:)`` renews it
///   by setting the modification time; a write renews it by setting it too.
/// - Symbolic links at a session's path are never followed: reading one throws, and a write
///   replaces it with a session file.
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
public struct FileSessionDriver: SessionDriver {
    /// Conditional writes and session locks, across processes sharing the folder.
    public var capabilities: SessionDriverCapabilities { [.conditionalWrites, .sessionLocks] }

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
    /// The largest payload ``read(_:)`` returns and a write stores, in bytes (the record's header
    /// is not counted); larger ones throw
    /// ``FileSessionDriverError/fileTooLarge(folder:size:limit:)``. A file with slots larger than
    /// a write of this many bytes lays out reads as no session, without being loaded. Default
    /// 16 MiB; payloads over 1 GiB are refused whatever the limit.
    public var maxFileBytes: Int = 16 * 1024 * 1024

    /// The prefix of temporary files' names.
    static let temporaryPrefix = ".tmp-"
    /// The prefix of the record lock files that serialise writes of one session.
    static let lockPrefix = ".lock-"
    /// The prefix of the session lock files (``lock(_:lease:wait:)``).
    static let blockPrefix = ".block-"

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
    /// or nil when the file is missing, expired, or holds no whole `SSF2` record (a file of
    /// another format, or one too large to be a session within ``maxFileBytes``). Throws when the
    /// path is not a regular file, the stored payload is larger than ``maxFileBytes``, or the
    /// file cannot be read. Takes no lock in the common case (see the type's notes on atomicity).
    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        try withLiveRecord(id, operation: "read a session file") { _, info, record in
            try checkPayloadSize(record.payload)
            return StoredSession(
                payload: record.payload,
                lastActivity: Self.date(of: Self.modificationTime(info)),
                version: record.version
            )
        }
    }

    /// Stores `payload` as the session of `id` under a fresh version and sets the file's
    /// modification time to the clock's `now`. Waits for a write of the same session in another
    /// thread or process to finish first. On failure the previous session is left intact (a
    /// temporary file, if one was made, is removed) and a ``FileSessionDriverError`` is thrown.
    public func write(_ id: SessionIdentifier, payload: [UInt8]) async throws {
        try checkPayloadSize(payload)
        let result = try withRecordLock(id, creatingFolder: true) { _ in
            try store(id, payload: payload, if: .unconditional)
        }
        if fsync, case .written(_, renamed: true) = result { try syncFolder() }
    }

    /// Stores `payload` under `id` only if the live session there has version `expected`, or,
    /// when `expected` is nil, only if there is no live session (a file that is missing,
    /// expired, or holds no whole record). The comparison and the write happen under the
    /// session's record lock, so they are atomic across threads and processes.
    public func write(_ id: SessionIdentifier, payload: [UInt8], ifVersion expected: UInt64?) async throws -> ConditionalWrite {
        try checkPayloadSize(payload)
        let result = try withRecordLock(id, creatingFolder: expected == nil) { lockFD -> StoreResult in
            // No lock file because the folder is missing: there is no session either.
            guard let lockFD else { return .refused(.missing) }
            let result = try store(id, payload: payload, if: WritePrecondition(expecting: expected))
            if case .refused(.missing) = result { removeLockFileIfSessionMissing(id, holding: lockFD) }
            return result
        }
        switch result {
        case .refused(let refusal):
            return refusal
        case .written(let version, let renamed):
            if fsync && renamed { try syncFolder() }
            return .written(version: version)
        }
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
    /// missing, expired or holds no whole record.
    @discardableResult
    public func touch(_ id: SessionIdentifier) async throws -> Bool {
        // Checking and touching through one descriptor touches the inode that was checked.
        try withLiveRecord(id, operation: "touch a session file") { fd, _, _ in
            try stampModificationTime(fd, operation: "set a session file's time")
            return true
        } ?? false
    }

    // MARK: - Versions

    /// A fresh random nonzero version from the system's random number generator.
    static func newVersion() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// Throws when `payload` is larger than ``maxFileBytes`` (or than the format's 1 GiB).
    private func checkPayloadSize(_ payload: [UInt8]) throws {
        let limit = min(maxFileBytes, SessionFileLayout.largestPayload)
        guard payload.count <= limit else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: payload.count, limit: limit)
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
