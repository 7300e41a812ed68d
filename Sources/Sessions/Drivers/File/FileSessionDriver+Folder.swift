#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder of ``FileSessionDriver``: creating it, keeping it private to its owner, and
/// bringing the files of the layout before handle names into the current one.
extension FileSessionDriver {
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

    /// Makes the folder private to its owner (mode 0700) when its group or other users have any
    /// access, and reports it: a folder made by a checkout or `mkdir` is usually 0755, and a
    /// listing of it must not reach other local users, containers or a static file server.
    func makeFolderPrivate() throws {
        var info = stat()
        guard stat(folder, &info) == 0 else {
            throw FileSessionDriverError.systemCall(operation: "inspect the folder", folder: folder, code: errno)
        }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 != 0 else { return }
        let octal = String(mode, radix: 8)
        let previous = String(repeating: "0", count: max(0, 4 - octal.count)) + octal
        guard chmod(folder, 0o700) == 0 else {
            throw FileSessionDriverError.folderNotPrivate(folder: folder, mode: previous, code: errno)
        }
        report(.folderTightened(driver: name, folder: folder, previousMode: previous))
    }

    /// The names of the folder's entries (`.` and `..` included); nil when the folder is missing.
    func folderEntryNames() throws -> [String]? {
        guard let directory = opendir(folder) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileSessionDriverError.systemCall(operation: "list the folder", folder: folder, code: code)
        }
        defer { _ = closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 {
                    throw FileSessionDriverError.systemCall(operation: "list the folder", folder: folder, code: errno)
                }
                return names
            }
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        }
    }

    /// Renames each session file named by its raw ID (the layout before handle names) to its
    /// handle name, and removes that layout's lock files that nobody holds; returns how many
    /// session files it renamed. Their contents and deadlines are kept, so their sessions go on.
    ///
    /// The new name is linked first and the raw one unlinked after, so the session is never
    /// missing; when a file already has the new name it wins and the raw one is removed. A
    /// process of the earlier layout still writing the folder would keep writing raw names:
    /// stop those before starting this one (its next start renames what they left).
    func renameFilesOfRawIDLayout() throws -> Int {
        var renamed = 0
        for entryName in try folderEntryNames() ?? [] {
            if let id = SessionIdentifier(validating: entryName) {
                if try renameRawIDFile(entryName, to: SessionFileName(id)) { renamed += 1 }
            } else if [Self.lockPrefix, Self.blockPrefix].contains(where: { prefix in
                entryName.hasPrefix(prefix) && SessionIdentifier(validating: entryName.dropFirst(prefix.count)) != nil
            }) {
                removeUnheldLockFile(folder + "/" + entryName)
            }
        }
        return renamed
    }

    /// Gives the regular file `rawName` the name `name`; returns whether a session moved.
    private func renameRawIDFile(_ rawName: String, to name: SessionFileName) throws -> Bool {
        let rawPath = folder + "/" + rawName
        var info = stat()
        guard lstat(rawPath, &info) == 0, Self.isRegularFile(info) else { return false }
        if link(rawPath, path(for: name)) != 0 {
            let code = errno
            switch code {
            case EEXIST:
                break  // the session has a file of the current layout already: it wins
            case EPERM, EOPNOTSUPP, EMLINK:
                // A file system without hard links: a rename, with the same outcome but for the
                // (unreachable) race with a writer of the new name.
                guard rename(rawPath, path(for: name)) == 0 else {
                    throw FileSessionDriverError.systemCall(operation: "rename a session file", folder: folder, code: errno)
                }
                return true
            default:
                throw FileSessionDriverError.systemCall(operation: "rename a session file", folder: folder, code: code)
            }
        }
        guard unlink(rawPath) == 0 || errno == ENOENT else {
            throw FileSessionDriverError.systemCall(operation: "remove a renamed session file", folder: folder, code: errno)
        }
        return true
    }

    /// Removes the lock file at `path` unless another process holds it.
    private func removeUnheldLockFile(_ path: String) {
        guard case .held(let fd) = try? lockFile(at: path, create: false, wait: false) else { return }
        _ = Self.unlinkIfStillLinked(path, holding: fd)
        _ = FileCall.close(fd)
    }
}
