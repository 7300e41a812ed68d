/// One record of a session file, the content of one slot of a ``SessionFileLayout``: a session's
/// payload with its compare-and-swap version, the sequence number that orders it against the
/// other slot's record, and a checksum that tells a whole record from a torn or foreign one.
///
/// Bytes, integers little-endian:
///
/// | offset | size | field |
/// | ------ | ---- | ----- |
/// | 0 | 4 | the magic bytes `SSF2` |
/// | 4 | 8 | sequence: one more than the record it supersedes |
/// | 12 | 8 | the session's version |
/// | 20 | 4 | the payload's length |
/// | 24 | 4 | CRC-32C of bytes 0..<24 followed by the payload |
/// | 28 | length | the payload |
///
/// Bytes of the slot after the payload are ignored: a shorter record written over a longer one
/// leaves the old tail there.
struct SessionFileRecord: Equatable {
    /// `SSF2`.
    static let magic: [UInt8] = [0x53, 0x53, 0x46, 0x32]
    /// The length of the fields before the payload.
    static let headerSize = 28

    /// Orders the two slots' records: the valid one with the higher sequence is the session.
    var sequence: UInt64
    /// The session's version (for conditional writes).
    var version: UInt64
    /// The session's payload.
    var payload: [UInt8]

    init(sequence: UInt64, version: UInt64, payload: [UInt8]) {
        self.sequence = sequence
        self.version = version
        self.payload = payload
    }

    /// The record's bytes: the header, then the payload.
    var encoded: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.headerSize + payload.count)
        bytes.append(contentsOf: Self.magic)
        Self.appendLittleEndian(sequence, byteCount: 8, to: &bytes)
        Self.appendLittleEndian(version, byteCount: 8, to: &bytes)
        Self.appendLittleEndian(UInt64(payload.count), byteCount: 4, to: &bytes)
        let checksum = CRC32C.update(CRC32C.checksum(bytes), with: payload)
        Self.appendLittleEndian(UInt64(checksum), byteCount: 4, to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The record at the start of `slot`, or nil when `slot` holds no whole record: the magic
    /// bytes are missing, the length runs past the slot's end, or the checksum does not match
    /// (a slot a write was cut short in, a slot read while it was being written, or foreign
    /// bytes).
    init?(decoding slot: ArraySlice<UInt8>) {
        guard let sequence = Self.sequence(in: slot) else { return nil }
        let start = slot.startIndex
        let length = Int(Self.littleEndian(slot, at: start + 20, byteCount: 4))
        guard length <= slot.count - Self.headerSize else { return nil }
        let payload = slot[(start + Self.headerSize)..<(start + Self.headerSize + length)]
        let stored = UInt32(Self.littleEndian(slot, at: start + 24, byteCount: 4))
        guard CRC32C.update(CRC32C.checksum(slot[start..<(start + 24)]), with: payload) == stored else { return nil }
        self.init(sequence: sequence, version: Self.littleEndian(slot, at: start + 12, byteCount: 8), payload: Array(payload))
    }

    /// The sequence in the header at the start of `slot`, unchecked, or nil when `slot` is shorter
    /// than a header or does not start with the magic bytes: a cheap look before the checksum.
    static func sequence(in slot: ArraySlice<UInt8>) -> UInt64? {
        guard slot.count >= headerSize, slot.starts(with: magic) else { return nil }
        return littleEndian(slot, at: slot.startIndex + 4, byteCount: 8)
    }

    /// The `byteCount`-byte little-endian integer at `index` of `bytes`.
    private static func littleEndian(_ bytes: ArraySlice<UInt8>, at index: Int, byteCount: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in (0..<byteCount).reversed() {
            value = (value << 8) | UInt64(bytes[index + offset])
        }
        return value
    }

    /// Appends the low `byteCount` bytes of `value`, least significant first.
    private static func appendLittleEndian(_ value: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
        for index in 0..<byteCount {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
        }
    }
}
