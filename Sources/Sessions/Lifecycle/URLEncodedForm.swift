/// Reads fields of an `application/x-www-form-urlencoded` body: what the CSRF check of every
/// framework adapter reads `_token` from (public for adapters to other frameworks).
///
/// ```swift
/// let token = URLEncodedForm.firstValue(named: "_token", in: "name=ada&_token=abc") // "abc"
/// ```
///
/// Splits on the bytes `&` and `=`, never on Characters: a combining mark after `&` (U+064B,
/// say) makes one Character of the two, and a Character split would glue two fields together
/// (found by the `form` fuzz harness). Keys are compared to the name as they are decoded, byte
/// by byte, and only the value returned is built: a hostile 1 MiB body of ~350,000 empty pairs
/// costs one pass over its bytes and no allocation per pair.
public enum URLEncodedForm {
    /// The first value of the field `name` in `form`, decoded (`+` is a space, `%XX` a byte);
    /// nil when there is no such field or its value is not valid percent-encoded UTF-8.
    /// - Parameters:
    ///   - name: The field name, compared after decoding.
    ///   - form: The whole body.
    public static func firstValue(named name: String, in form: String) -> String? {
        var form = form
        return form.withUTF8 { bytes in
            let name = Array(name.utf8)
            var pairStart = 0
            while pairStart <= bytes.count {
                let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                let pair = bytes[pairStart..<pairEnd]
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")), decodes(pair[..<equals], to: name) {
                    return decoded(pair[(equals + 1)...])
                }
                pairStart = pairEnd + 1
            }
            return nil
        }
    }

    /// Whether `component` decodes to exactly `expected`, without building the decoded text.
    private static func decodes(_ component: Slice<UnsafeBufferPointer<UInt8>>, to expected: [UInt8]) -> Bool {
        var matched = 0
        var index = component.startIndex
        while index < component.endIndex {
            guard let (byte, next) = decodedByte(in: component, at: index), matched < expected.count, expected[matched] == byte
            else { return false }
            matched += 1
            index = next
        }
        return matched == expected.count
    }

    /// `component` decoded as UTF-8 text; nil for a malformed escape or bytes that are not UTF-8.
    private static func decoded(_ component: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(component.count)
        var index = component.startIndex
        while index < component.endIndex {
            guard let (byte, next) = decodedByte(in: component, at: index) else { return nil }
            bytes.append(byte)
            index = next
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The byte the encoding at `index` stands for and the index after it: `+` is a space,
    /// `%XX` the byte XX; nil for a `%` not followed by two hex digits.
    @inline(__always)
    private static func decodedByte(in component: Slice<UnsafeBufferPointer<UInt8>>, at index: Int) -> (UInt8, Int)? {
        switch component[index] {
        case UInt8(ascii: "+"):
            return (UInt8(ascii: " "), index + 1)
        case UInt8(ascii: "%"):
            guard index + 2 < component.endIndex, let high = hexValue(component[index + 1]), let low = hexValue(component[index + 2])
            else { return nil }
            return (high << 4 | low, index + 3)
        case let byte:
            return (byte, index + 1)
        }
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
