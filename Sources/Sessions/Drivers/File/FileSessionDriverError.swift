#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ``FileSessionDriver`` call failed. Messages name the operation, the folder and the
/// system's error text, never a session ID.
public enum FileSessionDriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with `code` (an errno value) while doing `operation` in `folder`.
    case systemCall(operation: String, folder: String, code: Int32)
    /// A session's payload, read or to write, is larger than the driver's limit.
    case fileTooLarge(folder: String, size: Int, limit: Int)
    /// A session's user key (``SessionMetadata/userKey``) is longer than a file record holds.
    case userKeyTooLong(folder: String, size: Int, limit: Int)
    /// The path of a session (or of its lock file) in `folder` exists but is not a regular file.
    case notAFile(operation: String, folder: String)
    /// The folder lets other users in (its octal `mode`, such as `0755`) and could not be made
    /// private: `chmod` failed with `code` (another user owns it). Session files are credentials.
    case folderNotPrivate(folder: String, mode: String, code: Int32)

    /// A one-line message naming the operation, the folder and the cause, never a session ID.
    public var description: String {
        switch self {
        case .systemCall(let operation, let folder, let code):
            "file session driver could not \(operation) in \(folder): \(String(cString: strerror(code))) (errno \(code))"
        case .fileTooLarge(let folder, let size, let limit):
            "file session driver refused a session of \(size) bytes in \(folder): the limit is \(limit) bytes"
        case .userKeyTooLong(let folder, let size, let limit):
            "file session driver refused a user key of \(size) bytes in \(folder): the limit is \(limit) bytes"
        case .notAFile(let operation, let folder):
            "file session driver could not \(operation) in \(folder): the path is not a regular file"
        case .folderNotPrivate(let folder, let mode, let code):
            "file session driver refuses the folder \(folder): its mode \(mode) lets other users in, and making it private (0700) failed: \(String(cString: strerror(code))) (errno \(code)); give it to the app's user with mode 0700"
        }
    }
}
