import Foundation

/// Where a session's files live, and which names in the folder are the driver's own.
extension FileSessionDriver {
    /// The path of the session file named `name`.
    func path(for name: SessionFileName) -> String {
        folder + "/" + name.description
    }

    /// The path of the record lock file of `name`.
    func lockPath(for name: SessionFileName) -> String {
        folder + "/" + Self.lockPrefix + name.description
    }

    /// The path of the session lock file of `name`.
    func blockPath(for name: SessionFileName) -> String {
        folder + "/" + Self.blockPrefix + name.description
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

    /// The session file name that `name` is `prefix` followed by exactly, else nil.
    static func fileName(in name: String, after prefix: String) -> SessionFileName? {
        guard name.utf8.count == prefix.utf8.count + SessionFileName.length, name.hasPrefix(prefix) else { return nil }
        return SessionFileName(name.dropFirst(prefix.count))
    }

    /// Whether `name` is a temporary file's name: `.tmp-` + a session file name + `-` + one or
    /// more lowercase or uppercase hex digits. Writers before handle names put
    /// the raw ID where the file name is: such leftovers of a crash are recognised too.
    static func isTemporaryFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let prefix = Array(temporaryPrefix.utf8)
        guard bytes.starts(with: prefix), let dash = bytes.lastIndex(of: UInt8(ascii: "-")), dash > prefix.count else { return false }
        let middle = String(decoding: bytes[prefix.count..<dash], as: UTF8.self)
        guard SessionFileName(middle) != nil || SessionIdentifier(validating: middle) != nil else { return false }
        let suffix = bytes[(dash + 1)...]
        return !suffix.isEmpty && suffix.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }
}
