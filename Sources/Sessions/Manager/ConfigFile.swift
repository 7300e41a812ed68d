import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `config/session.json`: its bytes, bounded, and its members.
enum ConfigFile {
    /// The largest configuration file read, in bytes.
    static let maximumBytes = 1 << 20

    /// The members of the JSON object `json`, read from `file`.
    /// - Throws: ``SessionConfigError/malformedFile(path:reason:)`` with the decoder's reason on one
    ///   line, naming the key whose value could not be read.
    static func members(of json: [UInt8], file: String) throws(SessionConfigError) -> [String: SessionValue] {
        do {
            return try JSONDecoder().decode([String: SessionValue].self, from: Data(json))
        } catch {
            throw .malformedFile(path: file, reason: reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        var text: String
        if case DecodingError.dataCorrupted(let context) = error, let key = context.codingPath.first?.stringValue {
            text = "the value of \(SettingText.quoted(key)) cannot be read: \(context.debugDescription)"
            if let underlying = context.underlyingError { text += " (\(underlying))" }
        } else {
            text = String(describing: error)
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The file's bytes, or nil when it does not exist.
    static func bytes(at path: String) throws(SessionConfigError) -> [UInt8]? {
        guard !path.unicodeScalars.contains("\u{0}") else {
            throw .unreadableFile(path: path, reason: "the path contains a NUL character")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadableFile(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(code)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumBytes {
                throw .unreadableFile(path: path, reason: "the file is larger than \(maximumBytes) bytes")
            }
        }
    }
}
