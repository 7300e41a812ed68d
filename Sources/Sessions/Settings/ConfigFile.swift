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
            throw .malformedFile(path: file, reason: reason(error, json: json))
        }
    }

    /// The decoder's error on one line; for a value it could not read, the key and the value as
    /// written in the file.
    private static func reason(_ error: any Error, json: [UInt8]) -> String {
        var text = String(describing: error)
        if case DecodingError.dataCorrupted(let context) = error, let key = context.codingPath.first?.stringValue {
            let written = rawString(after: key, in: json).map { literal in
                ": " + (literal.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) } ? literal : SettingText.quoted(literal))
            } ?? ""
            text = "the value of \(SettingText.quoted(key))\(written) is not a valid JSON string (an invalid \\u escape, such as a lone surrogate)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The string literal that follows the member name `key` in `json`, as written (quotes and
    /// escapes included, at most 120 bytes), if one does.
    static func rawString(after key: String, in json: [UInt8]) -> String? {
        let name = Array("\"\(key)\"".utf8)
        guard name.count <= json.count else { return nil }
        func skipBlanks(from index: Int) -> Int {
            var index = index
            while index < json.count, json[index] == UInt8(ascii: " ") || json[index] == UInt8(ascii: "\t") { index += 1 }
            return index
        }
        for start in 0...(json.count - name.count) where json[start..<(start + name.count)].elementsEqual(name) {
            let colon = skipBlanks(from: start + name.count)
            guard colon < json.count, json[colon] == UInt8(ascii: ":") else { continue }
            let index = skipBlanks(from: colon + 1)
            guard index < json.count, json[index] == UInt8(ascii: "\"") else { continue }
            var end = index + 1
            while end < json.count, json[end] != UInt8(ascii: "\"") { end += json[end] == UInt8(ascii: "\\") ? 2 : 1 }
            let literal = json[index..<min(end + 1, json.count, index + 120)]
            return String(decoding: literal, as: UTF8.self)
        }
        return nil
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
