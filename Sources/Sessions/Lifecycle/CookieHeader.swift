/// Reads cookies from `Cookie` request headers, tolerating malformed input: pairs without `=`,
/// stray separators, quotes and whitespace are skipped or trimmed, never an error. Scans UTF-8
/// bytes in place: this runs on every request of a session route.
enum CookieHeader {
    /// Calls `body` with the value of each cookie named `name`, in the order the headers give
    /// them, until it returns false.
    static func forEachValue(named name: String, in headers: [String], _ body: (Substring) -> Bool) {
        for header in headers where !forEachValue(named: name, in: header, body) { return }
    }

    /// ``forEachValue(named:in:_:)`` over one `Cookie` header value; returns false when `body`
    /// asked to stop.
    @discardableResult
    static func forEachValue(named name: String, in header: String, _ body: (Substring) -> Bool) -> Bool {
        let utf8 = header.utf8
        var going = true
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
            forEachValue(named: name, in: bytes) { range in
                guard going else { return }
                let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
                let end = utf8.index(start, offsetBy: range.count)
                going = body(Substring(utf8[start..<end]))
            }
        }
        if utf8.withContiguousStorageIfAvailable(scan) == nil {
            Array(utf8).withUnsafeBufferPointer(scan)
        }
        return going
    }

    /// Calls `body` with the byte range of the value of each `name=value` pair in `bytes` whose
    /// trimmed name is `name`, trimmed and unquoted.
    private static func forEachValue(named name: String, in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var pairStart = 0
        while pairStart < bytes.count {
            var pairEnd = pairStart
            while pairEnd < bytes.count, bytes[pairEnd] != UInt8(ascii: ";") { pairEnd += 1 }
            if let value = value(of: pairStart..<pairEnd, in: bytes, ifNamed: name) { body(value) }
            pairStart = pairEnd + 1
        }
    }

    /// The range of the value of the pair at `pair` when its trimmed name is `name`, trimmed
    /// and unquoted; nil for another name or a pair without `=`.
    private static func value(of pair: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>, ifNamed name: String) -> Range<Int>? {
        guard let equals = pair.first(where: { bytes[$0] == UInt8(ascii: "=") }) else { return nil }
        let key = trimmed(pair.lowerBound..<equals, in: bytes)
        guard name.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[key])) else { return nil }
        var value = trimmed((equals + 1)..<pair.upperBound, in: bytes)
        if value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\""), bytes[value.upperBound - 1] == UInt8(ascii: "\"") {
            value = (value.lowerBound + 1)..<(value.upperBound - 1)
        }
        return value
    }

    private static func trimmed(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
