/// Appends the payload format's primitives to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Unsigned LEB128.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// How many bytes ``varint(_:)`` writes for `value`.
    static func varintSize(_ value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    /// How many bytes ``signedVarint(_:)`` writes for `value`.
    static func signedVarintSize(_ value: Int64) -> Int {
        varintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// How many bytes ``blob(_:)`` writes for `count` bytes.
    static func blobSize(_ count: Int) -> Int {
        varintSize(UInt64(count)) + count
    }

    /// Zigzag, then LEB128: small negative numbers stay short.
    mutating func signedVarint(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func double(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func blob(_ value: some Collection<UInt8>) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { blob($0) }
    }
}
