/// Reads cookies from `Cookie` request headers, tolerating malformed input: pairs without `=`,
/// stray separators, quotes and whitespace are skipped or trimmed, never an error. Scans UTF-8
/// bytes: this runs on every request of a session route.
enum CookieHeader {
    /// The values of every cookie named `name`, in the order the headers give them.
    static func values(named name: String, in headers: [String]) -> [Substring] {
        let wanted = Array(name.utf8)
        var found: [Substring] = []
        for header in headers {
            let bytes = header.utf8
            var pairStart = bytes.startIndex
            while pairStart < bytes.endIndex {
                let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
                if let value = value(of: bytes[pairStart..<pairEnd], ifNamed: wanted) {
                    found.append(Substring(header.utf8[value]))
                }
                pairStart = pairEnd < bytes.endIndex ? bytes.index(after: pairEnd) : pairEnd
            }
        }
        return found
    }

    /// The range of the value of one `name=value` pair whose trimmed name is `wanted`, trimmed
    /// and unquoted; nil for another name or a pair without `=`.
    private static func value(of pair: Substring.UTF8View.SubSequence, ifNamed wanted: [UInt8]) -> Range<String.Index>? {
        guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        guard trimmed(pair[..<equals]).elementsEqual(wanted) else { return nil }
        var value = trimmed(pair[pair.index(after: equals)...])
        if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
            value = value.dropFirst().dropLast()
        }
        return value.startIndex..<value.endIndex
    }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var result = bytes
        while let first = result.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { result = result.dropFirst() }
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { result = result.dropLast() }
        return result
    }
}
