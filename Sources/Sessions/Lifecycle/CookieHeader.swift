/// Reads cookies from `Cookie` request headers, tolerating malformed input: pairs without `=`,
/// stray separators, quotes and whitespace are skipped or trimmed, never an error.
enum CookieHeader {
    /// The values of every cookie named `name`, in the order the headers give them.
    static func values(named name: String, in headers: [String]) -> [Substring] {
        var found: [Substring] = []
        for header in headers {
            for pair in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                guard pair[..<equals].trimmingSpaces == name else { continue }
                var value = pair[pair.index(after: equals)...].trimmingSpaces
                if value.count >= 2, value.first == "\"", value.last == "\"" {
                    value = value.dropFirst().dropLast()
                }
                found.append(value)
            }
        }
        return found
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
