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
/// - One file per session in ``folder``, named by the session's handle (``SessionHandle``: the
///   SHA-256 of its ID, 64 hexadecimal digits), so a listing of the folder reveals no ID to
///   replay. IDs are validated by type, so no path is ever built from unchecked text. The folder
///   is created (mode 0700, with any missing parent folders) by ``open()``, or by the first write
///   when `open` was not called; ``open()`` also makes an existing folder that others can read
///   private, and renames the files of the layout before handle names (named by the raw ID).
///   Every file the driver creates has mode 0600.
/// - File format `SSF3`: two slots of equal size S, slot 0 at offset 0 and slot 1 at offset S,
///   and the file exactly 2·S bytes long. Each slot holds zeros or a record: the 4 bytes `SSF3`,
///   a sequence number, the session's version, its creation time, the lengths of the user key
///   and the payload, a CRC-32C of those fields, the key and the payload, then the key and the
///   payload (see `SessionFileRecord`). The
///   session is the slot whose record is whole (its checksum matches) with the higher sequence.
///   S is the smallest power of two of at least 512 bytes and twice the record, so a payload
///   can double before the file is laid out anew. A file under a session's name without a whole record in
///   that layout (written by something else, or damaged) reads as no session, and ``gc()``
///   leaves it alone: it deletes only files it can read as a session.
/// - Versions: every write, conditional or not, stores a fresh random nonzero 64-bit version
///   from the system's random number generator, so processes sharing the folder never hand out
///   the same one (with overwhelming probability). ``touch(_:metadata:)`` keeps the version.
/// - Writes go in place: a write reads the file, finds the current record, writes the new one
///   into the *other* slot with the next sequence number (`pwrite`), and sets the modification
///   time to the session's deadline. When there is no file yet, it holds no whole record, or the
///   payload outgrew the slots (or shrank so much that a fresh file would have slots a quarter
///   their size or less), the write lays the file out anew instead: it writes a fresh file to a
///   temporary file in the same folder (`.tmp-<handle>-<random hex>`) and renames it over the
///   session's file.
/// - A write whose record is smaller than the one it supersedes (a logout's tombstone, a session
///   that forgot keys) pads its slot with zeros and then zeroes the superseded slot, so no
///   removed data stays readable on disk.
/// - Crash safety: a write touches the slot of the current record only once its own is whole,
///   so a write that is killed or fails midway leaves at most the other slot torn, and its
///   checksum tells; the session reads as before. A killed re-layout leaves the old file and a temporary file that
///   ``gc()`` removes.
/// - Reads take no lock: one `pread` of the whole file, keeping the whole record with the higher
///   sequence. The slot a write is not writing stays whole, so a reader sees the old record or
///   the new one, never a mix. Only when a read finds no whole slot (two writes raced one read,
///   or the file is damaged) or an expired file does it read once more under the session's
///   record lock.
/// - Writes, conditional writes and destroys of one session are serialised across threads and
///   processes: each holds a per-session in-process claim and then a POSIX record lock on the lock
///   file `.lock-<handle>` beside the session (tried without waiting; `fcntl(F_SETLKW)` only off the
///   cooperative pool). A conditional write
///   compares the stored version under those locks. Reads and touches take no lock, but for
///   the rare locked re-read above.
/// - Session locks (``lock(_:lease:wait:)``) are POSIX record locks on `.block-<handle>`, held for the
///   request; the operating system releases them when a process dies.
/// - No fsync by default: a killed process cannot corrupt anything, but a power cut may lose the
///   last writes. With `files_fsync` (``fsyncSetting``) each write fsyncs the file
///   it wrote (before the rename when it laid the file out anew, and then the folder too), on a
///   thread of `BlockingCalls`: an fsync can take long, and must not stall the cooperative pool.
/// - The file's modification time is the session's deadline (``SessionMetadata/expiresAt``): a
///   session expires when it is before the clock's `now` (exactly at its deadline it is still
///   readable, as in Laravel). A write and ``touch(_:metadata:)`` set it. Files of the previous
///   format `SSF2` are still read, with the deadline their time plus ``lifetime``, so an upgrade
///   signs nobody out; their next write converts them.
/// - Symbolic links at a session's path are never followed: reading one throws, and a write
///   replaces it with a session file.
/// - ``gc()`` removes only regular files whose names it made: expired session files (a session
///   layout holding a whole record, not just a name that parses as an ID), stale temporary files
///   left by a crashed writer, and lock files nobody holds whose session is gone.
///   It never deletes anything else in the folder (other files, folders, symbolic links,
///   `.gitignore`).
///
/// A touch that lands between gc's expiry check of a session and its removal is lost: the
/// session had expired a moment before, so this needs a request that read the session before it
/// expired and touched it just after.
///
/// The driver's methods make their short system calls on the calling task (files are small).
/// Waiting is moved off it: a write whose session another thread or process is writing waits
/// for the claim and the record lock on a thread of its own (`BlockingCalls`), so a lock held
/// by another process never stalls the cooperative pool, and session locks are polled.
///
/// ```swift
/// let driver = FileSessionDriver(folder: "storage/framework/sessions", lifetime: .seconds(7200))
/// try await driver.open()
/// try await driver.write(id, payload: bytes, metadata: SessionMetadata(expiresAt: deadline, createdAt: now))
/// let stored = try await driver.read(id)
/// ```
public struct FileSessionDriver: SessionDriver {
    /// Conditional writes and session locks, across processes sharing the folder.
    public var capabilities: SessionDriverCapabilities { [.conditionalWrites, .sessionLocks] }

    /// The absolute path of the folder that holds the session files.
    public let folder: String
    /// The default idle lifetime: the deadline of a file of the previous format (or one whose
    /// time a killed write never set) is its modification time plus this.
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
    /// The free space the driver leaves on the folder's file system: when less is available to
    /// the process, a write that would store a new session throws
    /// ``SessionError/unavailable(reason:)`` (503 with `Retry-After` from the middleware) while
    /// stored sessions keep being written and read. A flood of new visitors thus fills no disk.
    /// Default 64 MiB; 0 turns the check off.
    public var minimumFreeBytes: Int = 64 << 20
    /// The driver's name in the manager's registry, for its events.
    let name: String
    /// Where the driver reports events (a folder made private, files renamed at ``open()``).
    let report: SessionEventObserver

    /// The prefix of temporary files' names.
    static let temporaryPrefix = ".tmp-"
    /// The prefix of the record lock files that serialise writes of one session.
    static let lockPrefix = ".lock-"
    /// The prefix of the session lock files (``lock(_:lease:wait:)``).
    static let blockPrefix = ".block-"

    /// Creates a driver that stores sessions in `folder` (relative to the current working
    /// directory unless absolute), each expiring at its own deadline.
    ///
    /// - Parameters:
    ///   - folder: The folder for the session files; created by ``open()`` when missing.
    ///   - lifetime: The default idle lifetime, for files that carry no deadline (see ``lifetime``).
    ///   - fsync: Whether each write fsyncs the file and the folder, for durability against
    ///     power loss. Default false.
    ///   - clock: The clock read for expiry. Default ``SessionClock/system``.
    ///   - name: The driver's name in the manager's registry, for its events. Default `file`.
    ///   - report: Where the driver reports events. Default: nowhere.
    public init(
        folder: String, lifetime: Duration, fsync: Bool = false, clock: SessionClock = .system,
        name: String = "file", report: @escaping SessionEventObserver = { _ in }
    ) {
        self.folder = Self.absolutePath(folder)
        self.lifetime = lifetime
        self.fsync = fsync
        self.clock = clock
        self.name = name
        self.report = report
    }

    // MARK: - SessionDriver

    /// Readies the folder: creates it, and any missing parent folders, with mode 0700 when it is
    /// missing; makes an existing one that other users could read private (mode 0700, reporting
    /// ``SessionEvent/folderTightened(driver:folder:previousMode:)``); and renames the session
    /// files of the layout before handle names (named by the raw ID) to their handle names,
    /// reporting ``SessionEvent/filesRenamed(driver:count:)``, so an upgrade signs nobody out.
    ///
    /// - Throws: ``FileSessionDriverError/folderNotPrivate(folder:mode:code:)`` when the folder is
    ///   open to other users and cannot be made private (another user owns it), or a
    ///   ``FileSessionDriverError`` when the path is not a folder or cannot be created or listed.
    public func open() async throws {
        try createFolder(folder)
        try makeFolderPrivate()
        let renamed = try renameFilesOfRawIDLayout()
        if renamed > 0 { report(.filesRenamed(driver: name, count: renamed)) }
    }

    /// The payload, metadata and version stored under `id`, or nil when the file is missing,
    /// expired, or holds no whole record (a file of another format, or one too large to be a
    /// session within ``maxFileBytes``). Throws when the
    /// path is not a regular file, the stored payload is larger than ``maxFileBytes``, or the
    /// file cannot be read. Takes no lock in the common case (see the type's notes on atomicity).
    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        try await withLiveRecord(SessionFileName(id), operation: "read a session file") { _, info, record in
            try checkPayloadSize(record.payload)
            return StoredSession(payload: record.payload, metadata: metadata(of: info, record), version: record.version)
        }
    }

    /// Stores `payload` and `metadata` as the session of `id` under a fresh version and sets the
    /// file's modification time to the deadline. Waits for a write of the same session in another
    /// thread or process to finish first. On failure the previous session is left intact (a
    /// temporary file, if one was made, is removed) and a ``FileSessionDriverError`` is thrown.
    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        try checkSize(payload, metadata)
        let name = SessionFileName(id)
        try await withRecordLock(name, creatingFolder: true, offThePool: fsync) { _ in
            let result = try store(name, payload: payload, metadata: metadata, if: .unconditional)
            if fsync, case .written(_, renamed: true) = result { try syncFolder() }
        }
    }

    /// Stores `payload` under `id` only if the live session there has version `expected`, or,
    /// when `expected` is nil, only if there is no live session (a file that is missing,
    /// expired, or holds no whole record). The comparison and the write happen under the
    /// session's record lock, so they are atomic across threads and processes.
    public func write(
        _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
    ) async throws -> ConditionalWrite {
        try checkSize(payload, metadata)
        let name = SessionFileName(id)
        return try await withRecordLock(name, creatingFolder: expected == nil, offThePool: fsync) { lockFD -> ConditionalWrite in
            // No lock file because the folder is missing: there is no session either.
            guard let lockFD else { return .missing }
            switch try store(name, payload: payload, metadata: metadata, if: WritePrecondition(expecting: expected)) {
            case .refused(let refusal):
                if refusal == .missing { removeLockFileIfSessionMissing(name, holding: lockFD) }
                return refusal
            case .written(let version, let renamed):
                if fsync && renamed { try syncFolder() }
                return .written(version: version)
            }
        }
    }

    /// Removes the file of `id` (and its lock file); succeeds when it is already gone. Waits for
    /// a write of the same session in another thread or process to finish first.
    public func destroy(_ id: SessionIdentifier) async throws {
        let name = SessionFileName(id)
        try await withRecordLock(name, creatingFolder: false) { lockFD in
            if unlink(path(for: name)) != 0 {
                let code = errno
                if code != ENOENT && code != ENOTDIR {
                    throw FileSessionDriverError.systemCall(operation: "remove a session file", folder: folder, code: code)
                }
            }
            if let lockFD { removeLockFileIfSessionMissing(name, holding: lockFD) }
        }
    }

    /// Sets the modification (and access) time of the file of `id` to the new deadline without
    /// rewriting it, keeping its version. Returns false, and creates nothing, when the file is
    /// missing, expired or holds no whole record.
    @discardableResult
    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        // Checking and touching through one descriptor touches the inode that was checked.
        try await withLiveRecord(SessionFileName(id), operation: "touch a session file") { fd, _, _ in
            try stampModificationTime(fd, to: metadata.expiresAt, operation: "set a session file's time")
            return true
        } ?? false
    }

    // MARK: - Versions

    /// A fresh random nonzero version from the system's random number generator.
    static func newVersion() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// Throws when `payload` is larger than ``maxFileBytes`` (or than the format's 1 GiB), or the
    /// user key is longer than a record holds.
    private func checkSize(_ payload: [UInt8], _ metadata: SessionMetadata) throws {
        try checkPayloadSize(payload)
        let keyBytes = metadata.userKey?.utf8.count ?? 0
        guard keyBytes <= SessionFileRecord.maximumUserKeyBytes else {
            throw FileSessionDriverError.userKeyTooLong(folder: folder, size: keyBytes, limit: SessionFileRecord.maximumUserKeyBytes)
        }
    }

    /// Throws when `payload` is larger than ``maxFileBytes`` (or than the format's 1 GiB).
    private func checkPayloadSize(_ payload: [UInt8]) throws {
        let limit = min(maxFileBytes, SessionFileLayout.largestPayload)
        guard payload.count <= limit else {
            throw FileSessionDriverError.fileTooLarge(folder: folder, size: payload.count, limit: limit)
        }
    }
}
