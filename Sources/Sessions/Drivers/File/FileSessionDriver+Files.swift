#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading, writing and creating the files of ``FileSessionDriver``.
extension FileSessionDriver {
    /// Opens the file of `id` for reading and returns the descriptor (the caller closes it) and
    /// its status, or nil when it is missing. Throws when it is not a regular file.
    func openSessionFile(_ id: SessionIdentifier, operation: String) throws -> (Int32, stat)? {
        var fd: Int32
        repeat {
            fd = FileCall.open(path(for: id), O_RDONLY | O_CLOEXEC, 0)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileSessionDriverError.systemCall(operation: "open a session file", folder: folder, code: code)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            _ = FileCall.close(fd)
            throw FileSessionDriverError.systemCall(operation: "stat a session file", folder: folder, code: code)
        }
        guard Self.isRegularFile(info) else {
            _ = FileCall.close(fd)
            throw FileSessionDriverError.notAFile(operation: operation, folder: folder)
        }
        return (fd, info)
    }

    /// Reads the header from `fd`, positioned at the start of a session file, and returns the
    /// version, or nil when the file is shorter than the header or lacks the magic bytes.
    func readHeader(_ fd: Int32) throws -> UInt64? {
        var header = [UInt8](repeating: 0, count: SessionFileHeader.size)
        var filled = 0
        while filled < header.count {
            let count = header.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return FileCall.read(fd, base + filled, buffer.count - filled)
            }
            if count == 0 { return nil }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSessionDriverError.systemCall(operation: "read a session file", folder: folder, code: errno)
            }
            filled += count
        }
        return SessionFileHeader.version(in: header)
    }

    /// Reads `fd` to its end, refusing more than ``maxFileBytes``.
    func readAll(_ fd: Int32, expected: Int) throws -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(expected)
        // One byte more than expected, so a file read whole ends with one more call that sees EOF.
        var chunk = [UInt8](repeating: 0, count: max(1, min(expected + 1, 64 * 1024)))
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return FileCall.read(fd, base, buffer.count)
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

    /// Writes the header and `payload` to a temporary file and renames it over the file of `id`.
    /// On failure the previous file is left intact and the temporary file is removed.
    func replaceFile(of id: SessionIdentifier, payload: [UInt8], version: UInt64) throws {
        let (fd, temporaryPath) = try createTemporaryFile(for: id)
        var isOpen = true
        do {
            if let code = writeAll(fd, SessionFileHeader.file(version: version, payload: payload)) {
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
            if FileCall.close(fd) != 0 {
                let code = errno
                if code != EINTR {
                    throw FileSessionDriverError.systemCall(operation: "close a temporary file", folder: folder, code: code)
                }
            }
            guard rename(temporaryPath, path(for: id)) == 0 else {
                throw FileSessionDriverError.systemCall(operation: "rename a temporary file over a session file", folder: folder, code: errno)
            }
        } catch {
            if isOpen { _ = FileCall.close(fd) }
            _ = unlink(temporaryPath)
            throw error
        }
    }

    /// Creates `path` and its missing parents with mode 0700; succeeds when it is already a folder.
    func createFolder(_ path: String) throws {
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

    /// Writes all of `bytes` to `fd`, retrying partial writes and EINTR. Returns the errno of a
    /// failure, or nil.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = FileCall.write(fd, base + offset, buffer.count - offset)
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

    /// fsyncs `fd`, retrying EINTR. Returns the errno of a failure, or nil.
    private func syncDescriptor(_ fd: Int32) -> Int32? {
        while FileCall.fsync(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return nil
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
