import Foundation

/// Reads fields of an `application/x-www-form-urlencoded` body: what the CSRF check of every
/// framework adapter reads `_token` from.
///
/// Splits on the bytes `&` and `=`, never on Characters: a combining mark after `&` (U+064B,
/// say) makes one Character of the two, and a Character split would glue two fields together
/// (found by the `form` fuzz harness).
package enum URLEncodedForm {
    /// The first value of the field `name` in `form`, decoded (`+` is a space, `%XX` a byte);
    /// nil when there is no such field or its value is not valid percent-encoded UTF-8.
    package static func firstValue(named name: String, in form: String) -> String? {
        for pair in form.utf8.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, decode(parts[0]) == name else { continue }
            return decode(parts[1])
        }
        return nil
    }

    private static func decode(_ component: Substring.UTF8View) -> String? {
        String(decoding: component.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self).removingPercentEncoding
    }
}
