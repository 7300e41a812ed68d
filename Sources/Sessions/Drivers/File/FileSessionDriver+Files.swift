#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reading, writing and creating the files of ``FileSessionDriver``.
extension FileSessionDriver {
    /// Opens the file named `name` for reading and returns the descriptor (the caller closes it) and
    /// its status, or nil when it is missing. Throws when it is not a regular file (a symbolic
    /// link is not followed).
    func openSessionFile(_ name: SessionFileName, operation: String) throws -> (Int32, stat)? {
        let fd = FileCall.openRetryingInterrupts(path(for: name), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            if code == ELOOP { throw FileSessionDriverError.notAFile(operation: operation, folder: folder) }
            throw FileSessionDriverError.systemCall(operation: "open a session file", folder: folder, code: code)
        }
        guard let info = try regularFileStatus(fd) else {
            _ = FileCall.close(fd)
            throw FileSessionDriverError.notAFile(operation: operation, folder: folder)
        }
        return (fd, info)
    }

    /// Opens the file named `name` for reading and writing in place and returns the descriptor (the
    /// caller closes it) and its status, or nil when there is no regular file to update at the
    /// path: it is missing, or a symbolic link (never followed, so a write never lands outside the
    /// folder), a folder or another kind of file, which a write replaces as a missing file.
    func openSessionFileForUpdate(_ name: SessionFileName) throws -> (Int32, stat)? {
        let fd = FileCall.openRetryingInterrupts(path(for: name), O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == ELOOP || code == EISDIR { return nil }
            throw FileSessionDriverError.systemCall(operation: "open a session file", folder: folder, code: code)
        }
        guard let info = try regularFileStatus(fd) else {
            _ = FileCall.close(fd)
            return nil
        }
        return (fd, info)
    }

    /// The status of the open file `fd`, or nil when it is not a regular file. Closes `fd` and
    /// throws when fstat fails.
    private func regularFileStatus(_ fd: Int32) throws -> stat? {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            _ = FileCall.close(fd)
            throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: code)
        }
        return Self.isRegularFile(info) ? info : nil
    }

    /// The largest slot a session file may have: the slot a fresh layout gives a payload of
    /// ``maxFileBytes``. A larger file is not read.
    var maximumSlotSize: Int {
        SessionFileLayout.slotSize(forPayloadCount: maxFileBytes)
    }

    /// Reads the whole session file open as `fd`, whose status is `info`, in one `pread` (more
    /// only when the system returns less): its layout and bytes, or nil when its size is no
    /// layout's (odd, too small, or slots over ``maximumSlotSize``) or it ends early.
    func readSlots(_ fd: Int32, _ info: stat) throws -> (layout: SessionFileLayout, bytes: [UInt8])? {
        guard let layout = SessionFileLayout(fileSize: Int(info.st_size), maximumSlotSize: maximumSlotSize) else { return nil }
        var bytes = [UInt8](repeating: 0, count: layout.fileSize)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(fd, base + filled, buffer.count - filled, off_t(filled))
            }
            if count == 0 { return nil }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSessionDriverError.systemCall(operation: "read a session file", folder: folder, code: errno)
            }
            filled += count
        }
        return (layout, bytes)
    }

    /// Sets the modification (and access) time of the open file `fd` to `date`.
    func stampModificationTime(_ fd: Int32, to date: Date, operation: String) throws {
        let stamp = Self.timeSpec(of: date)
        let times = [stamp, stamp]
        guard futimens(fd, times) == 0 else {
            throw FileSessionDriverError.systemCall(operation: operation, folder: folder, code: errno)
        }
    }

    /// Writes `record` into the session file open as `fd` at `offset` (a slot's), then sets the
    /// file's modification time to `deadline`, and fsyncs it when ``fsync`` is on.
    ///
    /// The time is set after the write, which itself sets it to the kernel's time: in between, a
    /// reader takes the deadline to be that time plus the lifetime (see
    /// ``deadline(of:_:)``).
    ///
    /// With `clearing` (the superseded slot), the record is written padded with zeros to the
    /// slot's end, then that slot is overwritten with zeros, before the time is set: the new
    /// record is whole by then, so a reader or a crash still finds a session.
    func writeInPlace(
        _ fd: Int32, _ record: SessionFileRecord, at offset: Int, clearing superseded: Range<Int>? = nil, expiringAt deadline: Date
    ) throws {
        var bytes = record.encoded
        if let superseded { bytes.append(contentsOf: repeatElement(0, count: max(0, superseded.count - bytes.count))) }
        if let code = writeAll(fd, bytes, at: offset) {
            throw FileSessionDriverError.systemCall(operation: "write a session file", folder: folder, code: code)
        }
        if let superseded, let code = writeAll(fd, [UInt8](repeating: 0, count: superseded.count), at: superseded.lowerBound) {
            throw FileSessionDriverError.systemCall(operation: "clear a session file's old slot", folder: folder, code: code)
        }
        try stampModificationTime(fd, to: deadline, operation: "set a session file's time")
        if fsync, let code = syncDescriptor(fd) {
            throw FileSessionDriverError.systemCall(operation: "fsync a session file", folder: folder, code: code)
        }
    }

    /// Writes `bytes`, a whole session file, to a temporary file with the modification time
    /// `deadline` and renames it over the file named `name`. On failure the previous file is left
    /// intact and the temporary file is removed.
    func replaceFile(of name: SessionFileName, with bytes: [UInt8], expiringAt deadline: Date) throws {
        let (fd, temporaryPath) = try createTemporaryFile(for: name)
        var isOpen = true
        do {
            if let code = writeAll(fd, bytes) {
                throw FileSessionDriverError.systemCall(operation: "write a temporary file", folder: folder, code: code)
            }
            try stampModificationTime(fd, to: deadline, operation: "set a temporary file's time")
            if fsync, let code = syncDescriptor(fd) {
                throw FileSessionDriverError.systemCall(operation: "fsync a temporary file", folder: folder, code: code)
            }
            isOpen = false
            // After close fails the descriptor is released anyway; EINTR there is not a failure.
            if FileCall.close(fd) != 0 {
                let code = errno
                if code != EINTR {
                    throw FileSessionDriverError.systemCall(operation: "close a temporary file", folder: folder, code: code)
                }
            }
            guard rename(temporaryPath, path(for: name)) == 0 else {
                throw FileSessionDriverError.systemCall(operation: "rename a temporary file over a session file", folder: folder, code: errno)
            }
        } catch {
            if isOpen { _ = FileCall.close(fd) }
            _ = unlink(temporaryPath)
            throw error
        }
    }

    /// Creates `.tmp-<name>-<random hex>` with O_EXCL and mode 0600, creating the folder first when
    /// it is missing. Returns the open descriptor and the file's path.
    private func createTemporaryFile(for name: SessionFileName) throws -> (Int32, String) {
        var createdFolder = false
        var attempts = 0
        while true {
            attempts += 1
            let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
            let name = Self.temporaryPrefix + name.description + "-" + String(repeating: "0", count: 16 - suffix.count) + suffix
            let temporaryPath = folder + "/" + name
            let fd = FileCall.open(temporaryPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
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

    /// Writes all of `bytes` to `fd`, at its current position or, with `offset`, at that offset
    /// (`pwrite`), retrying partial writes and EINTR. Returns the errno of a failure, or nil.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int? = nil) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var done = 0
            while done < buffer.count {
                let written = if let offset {
                    pwrite(fd, base + done, buffer.count - done, off_t(offset + done))
                } else {
                    FileCall.write(fd, base + done, buffer.count - done)
                }
                if written > 0 {
                    done += written
                } else if written == 0 {
                    return EIO
                } else if errno != EINTR {
                    return errno
                }
            }
            return nil
        }
    }

    /// fsyncs `fd`, retrying EINTR. Returns the errno of a failure, or nil.
    private func syncDescriptor(_ fd: Int32) -> Int32? {
        while FileCall.fsync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return nil
    }

    /// Throws ``SessionError/unavailable(reason:)`` when the folder's file system has less than
    /// ``minimumFreeBytes`` available; a file system it cannot measure passes.
    func checkFreeSpace() throws {
        guard minimumFreeBytes > 0 else { return }
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return }
        let (bytes, overflow) = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        let available = overflow ? Int.max : Int(clamping: bytes)
        guard available >= minimumFreeBytes else {
            throw SessionError.unavailable(
                reason: "the file session driver's disk has \(available >> 20) MiB free, below files_min_free_mb (\(minimumFreeBytes >> 20)): no new session is stored")
        }
    }

    /// fsyncs the folder, so a rename in it survives a power cut.
    func syncFolder() throws {
        let fd = FileCall.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else {
            throw FileSessionDriverError.systemCall(operation: "open the folder for fsync", folder: folder, code: errno)
        }
        defer { _ = FileCall.close(fd) }
        if let code = syncDescriptor(fd) {
            throw FileSessionDriverError.systemCall(operation: "fsync the folder", folder: folder, code: code)
        }
    }
}
