#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the live record of a session file, and writing a new one in place or in a new file.
///
/// Why a reader that takes no lock never returns a torn payload, and almost never needs the lock:
/// - Writes of one session are serialised by its record lock, and each writes only the slot
///   that does not hold the current record, so the current record's slot is never written
///   while it is current. A write that is cut short (a killed process, a full disk) tears
///   only that other slot; a file laid out anew is written aside and renamed into place whole.
/// - A reader copies the whole file with one `pread`, lowest offsets first, and keeps only slots
///   whose checksum matches. While one write runs, the slot it is not writing holds a whole
///   record throughout. Both slots can be torn in one copy only if two writes in a row
///   overlapped it: the reader then copied slot 0 while one write rewrote it, and slot 1 later
///   while the next write rewrote that one.
/// - For that rare case, and any other file whose slots all fail their checksum, the reader
///   reads once more while holding the record lock, when no write is in progress; a file still
///   without a whole record is no session (written by something else, or damaged).
/// - A write sets the file's modification time to the session's deadline just after its
///   `pwrite`, which set it (and the status-change time) to the kernel's time. A reader in
///   between takes the file's deadline as that time plus the lifetime
///   (``FileSessionDriver/deadline(of:_:)``), so it sees a live session. An expired file is
///   still read again under the lock before it counts as no session, so no reader ever trusts
///   a time a write is about to replace. Expired files are few (gc removes them), so this costs
///   little.
/// - A file is only ever replaced by a rename, so a reader holds either the old file, which no
///   write touches after its replacement, or the new one.
extension FileSessionDriver {
    /// Runs `body` on the live session named `name` (the open file, its status, its record), and
    /// returns its result; nil when there is no live session: the file is missing, expired, or
    /// holds no whole ``SessionFileRecord``. Takes no lock unless the file looks expired or no
    /// slot of it is whole, and then reads again under the record lock (see above). `body` may
    /// run under that lock.
    func withLiveRecord<Result: Sendable>(
        _ name: SessionFileName,
        operation: String,
        _ body: @escaping @Sendable (Int32, stat, SessionFileRecord) throws -> Result
    ) async throws -> Result? {
        switch try inspectLiveRecord(name, operation: operation, body) {
        case .found(let result):
            return result
        case .none:
            return nil
        case .unsure:
            return try await withRecordLock(name, creatingFolder: false) { _ in
                guard case .found(let result) = try inspectLiveRecord(name, operation: operation, body) else { return nil }
                return result
            }
        }
    }

    /// One look at the session file named `name` for ``withLiveRecord(_:operation:_:)``.
    private func inspectLiveRecord<Result>(
        _ name: SessionFileName,
        operation: String,
        _ body: (Int32, stat, SessionFileRecord) throws -> Result
    ) throws -> Inspection<Result> {
        guard let (fd, info) = try openSessionFile(name, operation: operation) else { return .none }
        defer { _ = FileCall.close(fd) }
        guard let (layout, bytes) = try readSlots(fd, info) else { return .none }
        guard let (_, record) = layout.winner(in: bytes), !isPast(deadline(of: info, record), now: clock.now) else { return .unsure }
        return .found(try body(fd, info, record))
    }

    /// Writes `payload` and `metadata` under a fresh version as the session named `name`, if
    /// `precondition` accepts the live session there. The caller holds the record lock of `name`.
    ///
    /// When the file holds a whole record and the new one fits its slots, the new record goes in
    /// place into the other slot with the next sequence number, and the file's modification time
    /// is set to the deadline. Otherwise (no file, no whole record, a payload that outgrew
    /// or shrank far below the slots, a sequence at its end) a fresh file is written aside and
    /// renamed over it.
    func store(
        _ name: SessionFileName, payload: [UInt8], metadata: SessionMetadata, if precondition: WritePrecondition
    ) throws -> StoreResult {
        let file = try openSessionFileForUpdate(name)
        defer { if let (fd, _) = file { _ = FileCall.close(fd) } }
        let current = try file.flatMap { fd, info in try currentRecord(fd, info) }
        if let refusal = precondition.refusal(live: current?.liveVersion) { return .refused(refusal) }

        var record = SessionFileRecord(
            sequence: 1, version: Self.newVersion(), createdAt: Self.microseconds(of: metadata.createdAt),
            userKey: metadata.userKey, payload: payload
        )
        if let (fd, _) = file, let current, current.layout.holds(payloadCount: record.bodyCount), current.record.sequence < .max {
            record.sequence = current.record.sequence + 1
            // A record that shrank (a logout's tombstone, forgotten keys) leaves nothing of the
            // larger one it supersedes readable on disk: it pads its own slot with zeros (which
            // may hold the tail of an older, longer record) and clears the other one. Records
            // that do not shrink write over tails no longer than themselves.
            let old = current.layout.offset(ofSlot: current.slot)
            let clearing = record.bodyCount < current.record.bodyCount ? old..<(old + current.layout.slotSize) : nil
            try writeInPlace(
                fd, record, at: current.layout.offset(ofSlot: 1 - current.slot), clearing: clearing, expiringAt: metadata.expiresAt)
            return .written(version: record.version, renamed: false)
        }
        if current == nil { try checkFreeSpace() }
        let bytes = SessionFileLayout(forPayloadCount: record.bodyCount).file(holding: record)
        try replaceFile(of: name, with: bytes, expiringAt: metadata.expiresAt)
        return .written(version: record.version, renamed: true)
    }

    /// The record a write in the session file open as `fd` (status `info`) supersedes: the whole
    /// record with the higher sequence, expired or not; nil when there is none.
    private func currentRecord(_ fd: Int32, _ info: stat) throws -> CurrentRecord? {
        guard let (layout, bytes) = try readSlots(fd, info), let (slot, record) = layout.winner(in: bytes) else { return nil }
        let expired = isPast(deadline(of: info, record), now: clock.now)
        return CurrentRecord(layout: layout, slot: slot, record: record, liveVersion: expired ? nil : record.version)
    }
}

/// The record a write supersedes, where it is, and whether it is a live session.
private struct CurrentRecord {
    var layout: SessionFileLayout
    var slot: Int
    var record: SessionFileRecord
    /// The record's version while the session is live; nil once it has expired.
    var liveVersion: UInt64?
}

/// The outcome of one look at a session file.
private enum Inspection<Result> {
    /// A live session, and what the caller's body returned for it.
    case found(Result)
    /// No live session: no file, or one of no layout's size.
    case none
    /// A file of a layout's size that looks expired or holds no whole record: maybe looked at
    /// while writes raced it.
    case unsure
}

/// What a write demands of the live session it replaces.
enum WritePrecondition {
    /// Nothing: an unconditional write.
    case unconditional
    /// That there is no live session: a conditional create.
    case noLiveSession
    /// That the live session has this version.
    case version(UInt64)

    /// The precondition of a conditional write expecting `expected` (nil: no live session).
    init(expecting expected: UInt64?) {
        self = expected.map { .version($0) } ?? .noLiveSession
    }

    /// What to answer instead of writing when the live session has version `live` (nil when there
    /// is none), or nil when the write may go ahead.
    func refusal(live: UInt64?) -> ConditionalWrite? {
        switch (self, live) {
        case (.unconditional, _), (.noLiveSession, nil):
            nil
        case (.noLiveSession, .some):
            .conflict
        case (.version, nil):
            .missing
        case (.version(let expected), .some(let live)):
            expected == live ? nil : .conflict
        }
    }
}

/// The outcome of ``FileSessionDriver/store(_:payload:metadata:if:)``.
enum StoreResult {
    /// Written under `version`; `renamed` when a new file replaced the old one (so an fsync of
    /// the folder is due when fsync is on).
    case written(version: UInt64, renamed: Bool)
    /// Not written: the precondition refused the live session.
    case refused(ConditionalWrite)
}
