import Foundation

/// Where a session's files live, and which names in the folder are the driver's own.
extension FileSessionDriver {
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
}
