/// One record of a session file, the content of one slot of a ``SessionFileLayout``: a session's
/// payload with its compare-and-swap version, its creation time and user key, the sequence
/// number that orders it against the other slot's record, and a checksum that tells a whole
/// record from a torn or foreign one. The session's deadline is not here but in the file's
/// modification time, so a touch sets a time instead of writing.
///
/// Bytes of format `SSF3`, integers little-endian:
///
/// | offset | size | field |
/// | ------ | ---- | ----- |
/// | 0 | 4 | the magic bytes `SSF3` |
/// | 4 | 8 | sequence: one more than the record it supersedes |
/// | 12 | 8 | the session's version |
/// | 20 | 8 | the session's creation time, in microseconds since 1970 (signed) |
/// | 28 | 2 | the user key's length in bytes (0: none) |
/// | 30 | 4 | the payload's length |
/// | 34 | 4 | CRC-32C of bytes 0..<34 followed by the user key and the payload |
/// | 38 | key length | the user key, UTF-8 |
/// | … | length | the payload |
///
/// Records of the previous format `SSF2` (no creation time, no user key, a 28-byte header with
/// the payload's length at 20 and the checksum at 24) are still read, so sessions stored
/// before an upgrade survive it; the next write of such a session writes `SSF3`.
///
/// Bytes of the slot after the payload are ignored: a shorter record written over a longer one
/// leaves the old tail there.
struct SessionFileRecord: Equatable {
    /// `SSF3`.
    static let magic: [UInt8] = [0x53, 0x53, 0x46, 0x33]
    /// `SSF2`, the previous format.
    static let legacyMagic: [UInt8] = [0x53, 0x53, 0x46, 0x32]
    /// The length of the fields before the user key and the payload.
    static let headerSize = 38
    /// The length of an `SSF2` header.
    static let legacyHeaderSize = 28
    /// The longest user key a record holds, in UTF-8 bytes.
    static let maximumUserKeyBytes = Int(UInt16.max)

    /// Orders the two slots' records: the valid one with the higher sequence is the session.
    var sequence: UInt64
    /// The session's version (for conditional writes).
    var version: UInt64
    /// When the session was created, in microseconds since 1970; nil in an `SSF2` record.
    var createdAt: Int64?
    /// The user the session belongs to.
    var userKey: String?
    /// The session's payload.
    var payload: [UInt8]

    init(sequence: UInt64, version: UInt64, createdAt: Int64? = 0, userKey: String? = nil, payload: [UInt8]) {
        self.sequence = sequence
        self.version = version
        self.createdAt = createdAt
        self.userKey = userKey
        self.payload = payload
    }

    /// Whether the record was written in the previous format, `SSF2`.
    var isLegacy: Bool { createdAt == nil }

    /// The bytes after the header: the user key and the payload.
    var bodyCount: Int { (userKey?.utf8.count ?? 0) + payload.count }

    /// The record's bytes in format `SSF3`: the header, the user key, then the payload.
    var encoded: [UInt8] {
        let key = Array((userKey ?? "").utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.headerSize + key.count + payload.count)
        bytes.append(contentsOf: Self.magic)
        Self.appendLittleEndian(sequence, byteCount: 8, to: &bytes)
        Self.appendLittleEndian(version, byteCount: 8, to: &bytes)
        Self.appendLittleEndian(UInt64(bitPattern: createdAt ?? 0), byteCount: 8, to: &bytes)
        Self.appendLittleEndian(UInt64(key.count), byteCount: 2, to: &bytes)
        Self.appendLittleEndian(UInt64(payload.count), byteCount: 4, to: &bytes)
        let checksum = CRC32C.update(CRC32C.update(CRC32C.checksum(bytes), with: key), with: payload)
        Self.appendLittleEndian(UInt64(checksum), byteCount: 4, to: &bytes)
        bytes.append(contentsOf: key)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The record at the start of `slot`, or nil when `slot` holds no whole record: the magic
    /// bytes are missing, a length runs past the slot's end, the user key is not UTF-8, or the
    /// checksum does not match (a slot a write was cut short in, a slot read while it was being
    /// written, or foreign bytes).
    init?(decoding slot: ArraySlice<UInt8>) {
        guard let sequence = Self.sequence(in: slot) else { return nil }
        let start = slot.startIndex
        let version = Self.littleEndian(slot, at: start + 12, byteCount: 8)
        if slot.starts(with: Self.legacyMagic) {
            guard let (checksum, payload) = Self.body(of: slot, header: Self.legacyHeaderSize, keyLength: 0, lengthAt: 20),
                CRC32C.update(CRC32C.checksum(slot[start..<(start + 24)]), with: payload) == checksum
            else { return nil }
            self.init(sequence: sequence, version: version, createdAt: nil, payload: Array(payload))
            return
        }
        guard slot.count >= Self.headerSize else { return nil }
        let keyLength = Int(Self.littleEndian(slot, at: start + 28, byteCount: 2))
        guard let (checksum, payload) = Self.body(of: slot, header: Self.headerSize, keyLength: keyLength, lengthAt: 30) else { return nil }
        let key = slot[(start + Self.headerSize)..<(start + Self.headerSize + keyLength)]
        guard CRC32C.update(CRC32C.update(CRC32C.checksum(slot[start..<(start + 34)]), with: key), with: payload) == checksum,
            let userKey = String(validating: key, as: UTF8.self)
        else { return nil }
        let createdAt = Int64(bitPattern: Self.littleEndian(slot, at: start + 20, byteCount: 8))
        self.init(sequence: sequence, version: version, createdAt: createdAt, userKey: keyLength == 0 ? nil : userKey, payload: Array(payload))
    }

    /// The stored checksum and the payload of a record whose header is `header` bytes long, with
    /// a key of `keyLength` bytes and the payload's length at `lengthAt`; nil when they run past
    /// the slot's end.
    private static func body(
        of slot: ArraySlice<UInt8>, header: Int, keyLength: Int, lengthAt: Int
    ) -> (checksum: UInt32, payload: ArraySlice<UInt8>)? {
        let start = slot.startIndex
        let length = Int(littleEndian(slot, at: start + lengthAt, byteCount: 4))
        guard keyLength + length <= slot.count - header else { return nil }
        let payloadStart = start + header + keyLength
        return (UInt32(littleEndian(slot, at: start + header - 4, byteCount: 4)), slot[payloadStart..<(payloadStart + length)])
    }

    /// The sequence in the header at the start of `slot`, unchecked, or nil when `slot` is shorter
    /// than a header or does not start with either format's magic bytes: a cheap look before the
    /// checksum.
    static func sequence(in slot: ArraySlice<UInt8>) -> UInt64? {
        guard slot.count >= legacyHeaderSize, slot.starts(with: magic) || slot.starts(with: legacyMagic) else { return nil }
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
