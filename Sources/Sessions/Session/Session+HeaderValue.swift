import Foundation

/// Session values written as HTTP field values, for handing them to the handlers after a
/// middleware or to a proxied upstream in request headers (an API gateway's
/// `MapSessionToHeader`).
extension Session {
    /// The value under `key` written as the value of the request header `header`, or nil when
    /// the key is missing or null, or the value is refused.
    ///
    /// Strings go as they are; whole numbers, decimals and booleans as Swift writes them (`42`,
    /// `1.5`, `true`); data as base64; dates as ISO 8601 in UTC (`2026-12-03T11:40:00Z`);
    /// arrays and dictionaries as compact JSON with sorted keys. A value holding anything but
    /// visible ASCII, spaces and tabs (a CR or LF that would start a header of its own, a
    /// control character, non-ASCII text), or starting or ending with a space or tab, is refused:
    /// nil, and a ``SessionEvent/headerValueRefused(header:key:)`` event names the header and the
    /// key, never the value.
    ///
    /// ```swift
    /// session.put("user_id", 42)
    /// session.headerValue("user_id", forHeader: "X-User-Id")   // "42"
    /// ```
    public func headerValue(_ key: String, forHeader header: String) -> String? {
        guard let value = get(key, as: SessionValue.self), !value.isNull else { return nil }
        guard let text = Self.fieldText(value), Self.isFieldValue(text) else {
            report(.headerValueRefused(header: header, key: key))
            return nil
        }
        return text
    }

    /// `value` written as documented in ``headerValue(_:forHeader:)``, or nil for null (or a
    /// value JSON cannot write).
    static func fieldText(_ value: SessionValue) -> String? {
        switch value {
        case .null: return nil
        case .bool(let flag): return String(flag)
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text
        case .data(let bytes): return bytes.base64EncodedString()
        case .date(let date): return date.formatted(.iso8601)
        case .array, .dictionary:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dataEncodingStrategy = .base64
            encoder.dateEncodingStrategy = .iso8601
            return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Whether `text` is a field value a proxy passes on unchanged: visible ASCII, with spaces
    /// and tabs only inside (RFC 9110 section 5.5, without the obsolete non-ASCII octets).
    static func isFieldValue(_ text: String) -> Bool {
        let bytes = text.utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        if let first = bytes.first, isBlank(first) { return false }
        if let last = bytes.last, isBlank(last) { return false }
        return bytes.allSatisfy { (0x21...0x7E).contains($0) || isBlank($0) }
    }
}
