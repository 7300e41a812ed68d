/// Reads the payload format's primitives from untrusted bytes. Every read is bounds-checked and
/// throws ``PayloadError`` instead of trapping.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { index == bytes.endIndex }

    mutating func byte() throws(PayloadError) -> UInt8 {
        guard index < bytes.endIndex else { throw .truncated }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func varint() throws(PayloadError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else { throw .malformed("varint overflows 64 bits") }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func signedVarint() throws(PayloadError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func double() throws(PayloadError) -> Double {
        let raw = try take(8)
        let bits = raw.reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Double(bitPattern: bits)
    }

    /// A length-prefixed run of bytes, checked against what is left (a forged length cannot
    /// make the reader allocate or run past the end).
    mutating func blob() throws(PayloadError) -> ArraySlice<UInt8> {
        bytes[try skipBlob()]
    }

    /// Skips a length-prefixed run of bytes and returns where it lies (no slice, no retain).
    mutating func skipBlob() throws(PayloadError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(bytes.endIndex - index) else { throw .truncated }
        let start = index
        try skip(Int(length))
        return start..<index
    }

    /// Skips `count` bytes.
    mutating func skip(_ count: Int) throws(PayloadError) {
        guard count >= 0, count <= bytes.endIndex - index else { throw .truncated }
        index += count
    }

    /// A length-prefixed string that must be valid UTF-8.
    mutating func string() throws(PayloadError) -> String {
        let raw = try blob()
        try Self.checkUTF8(raw)
        return String(decoding: raw, as: UTF8.self)
    }

    /// Throws unless `bytes` are valid UTF-8.
    static func checkUTF8(_ bytes: ArraySlice<UInt8>) throws(PayloadError) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(PayloadError) in try checkUTF8(buffer) }
    }

    /// Throws unless `bytes` are valid UTF-8.
    static func checkUTF8(_ bytes: UnsafeBufferPointer<UInt8>) throws(PayloadError) {
        // Keys and tokens are nearly always ASCII, which is valid UTF-8 as it is.
        if bytes.allSatisfy({ $0 < 0x80 }) { return }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("invalid UTF-8") }
    }

    /// A count of items that each take at least one byte, checked against what is left.
    mutating func count() throws(PayloadError) -> Int {
        let value = try varint()
        guard value <= UInt64(bytes.endIndex - index) else { throw .truncated }
        return Int(value)
    }

    mutating func take(_ count: Int) throws(PayloadError) -> ArraySlice<UInt8> {
        let start = index
        try skip(count)
        return bytes[start..<index]
    }
}

/// Why stored bytes could not be decoded.
enum PayloadError: Error, Equatable, CustomStringConvertible {
    case truncated
    case unknownVersion(UInt8)
    case malformed(String)

    var description: String {
        switch self {
        case .truncated: "truncated payload"
        case .unknownVersion(let version): "unknown payload format version \(version)"
        case .malformed(let reason): "malformed payload: \(reason)"
        }
    }
}
