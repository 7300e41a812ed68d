/// Reads text fields of a `multipart/form-data` body (RFC 7578): what the CSRF check reads
/// `_token` from in an upload form (public for adapters to other frameworks).
///
/// Scans bytes: a delimiter is only looked for after a line break, so a hostile body costs time
/// linear in its size, whatever its content.
public enum MultipartForm {
    /// The boundary parameter of a `multipart/form-data` Content-Type value (quoted or not,
    /// 1 to 70 characters as RFC 2046 allows), or nil for any other value.
    public static func boundary(inContentType value: String) -> String? {
        let parameters = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parameters.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var boundary = pair[1]
            if boundary.count >= 2, boundary.hasPrefix("\""), boundary.hasSuffix("\"") { boundary = String(boundary.dropFirst().dropLast()) }
            return (1...70).contains(boundary.utf8.count) ? boundary : nil
        }
        return nil
    }

    /// The value of the first part named `name` that is not a file (no `filename`), as UTF-8
    /// text; nil when there is none, the body is cut short, or the value is not UTF-8.
    /// - Parameters:
    ///   - name: The field name, as the part's `Content-Disposition` quotes it.
    ///   - body: The whole body.
    ///   - boundary: The boundary from ``boundary(inContentType:)``.
    public static func firstValue(named name: String, in body: [UInt8], boundary: String) -> String? {
        let delimiter = Array("--".utf8) + Array(boundary.utf8)
        let quotedName = Array("name=\"\(name)\"".utf8)
        let starts = delimiterEnds(of: delimiter, in: body)
        guard var partStart = starts.next() else { return nil }
        while let next = starts.next() {
            // A part runs from after its delimiter's line to the CRLF before the next delimiter.
            let partEnd = next - 2 - delimiter.count - 2
            if partStart <= partEnd, let value = value(ofPart: body[partStart..<partEnd], named: name, quotedName: quotedName) { return value }
            partStart = next
        }
        return nil
    }

    /// The offsets just after each delimiter line in `body` (the delimiter at the very start or
    /// after a CRLF, then CRLF, or `--` for the closing one).
    private static func delimiterEnds(of delimiter: [UInt8], in body: [UInt8]) -> AnyIterator<Int> {
        var index = 0
        return AnyIterator {
            while index + delimiter.count + 2 <= body.count {
                let atLineStart = index == 0 || (index >= 2 && body[index - 2] == 13 && body[index - 1] == 10)
                defer { index += 1 }
                guard atLineStart, body[index..<(index + delimiter.count)].elementsEqual(delimiter) else { continue }
                let after = index + delimiter.count
                let lineBreak = body[after] == 13 && body[after + 1] == 10
                let closing = body[after] == UInt8(ascii: "-") && body[after + 1] == UInt8(ascii: "-")
                guard lineBreak || closing else { continue }
                return after + 2
            }
            return nil
        }
    }

    /// The value of `part` (headers, a blank line, the value) when its Content-Disposition names
    /// the field `name` (`quotedName` is `name="<name>"` in bytes) and no file.
    private static func value(ofPart part: ArraySlice<UInt8>, named name: String, quotedName: [UInt8]) -> String? {
        let blank: [UInt8] = [13, 10, 13, 10]
        guard let headerEnd = part.indices.first(where: { part[$0...].starts(with: blank) }) else { return nil }
        // Most parts of a hostile body name another field: skip them before building any text.
        guard part[part.startIndex..<headerEnd].indices.contains(where: { part[$0..<headerEnd].starts(with: quotedName) }) else { return nil }
        guard let headers = String(validating: part[part.startIndex..<headerEnd], as: UTF8.self) else { return nil }
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            let parameters = line.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parameters.contains(where: { $0.lowercased().hasPrefix("filename") }),
                parameters.contains("name=\"\(name)\"")
            else { return nil }
            return String(validating: part[(headerEnd + 4)...], as: UTF8.self)
        }
        return nil
    }
}
