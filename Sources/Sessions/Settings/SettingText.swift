import Foundation

/// How values are written into configuration messages: escaped, so a control character in a
/// bad value cannot forge log lines, and redacted when secret.
enum SettingText {
    /// What a secret shows instead of its value.
    static let redaction = "redacted"

    /// `text` without surrounding whitespace and line breaks.
    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `text` as a JSON string: quoted, with quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if isInvisible(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// `value` written as compact JSON (object keys sorted), cut to about 120 characters.
    static func json(_ value: SessionValue) -> String {
        let full = written(value)
        return full.count > 120 ? String(full.prefix(120)) + "…" : full
    }

    private static func written(_ value: SessionValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): quoted(text)
        case .array(let items): "[" + items.map(written).joined(separator: ", ") + "]"
        case .dictionary(let members):
            "{" + members.sorted { $0.key < $1.key }.map { quoted($0.key) + ": " + written($0.value) }
                .joined(separator: ", ") + "}"
        // JSONDecoder never gives these two: SessionValue decodes them as strings.
        case .data, .date: quoted(String(describing: value))
        }
    }

    /// `text` as is when it is non-empty visible ASCII without quotes or backslashes, else ``quoted(_:)``.
    static func shellValue(_ text: String) -> String {
        let plain = !text.isEmpty
            && text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }
        return plain ? text : quoted(text)
    }

    /// A secret's text as it may be shown: a URL with a password keeps everything but the
    /// password (`postgres://ada:redacted@db/app`); anything else shows only "redacted".
    static func redacted(_ text: String) -> String {
        let unquoted = text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
        guard unquoted.contains("://"), var components = URLComponents(string: unquoted), components.scheme != nil,
            components.host != nil, components.percentEncodedPassword != nil
        else { return redaction }
        components.percentEncodedPassword = redaction
        guard let shown = components.string else { return redaction }
        return unquoted == text ? shown : quoted(shown)
    }

    /// The key in `candidates` closest to `key` (at most two edits away), if any.
    static func nearest(to key: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance($0, key.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars), b = Array(rhs.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
