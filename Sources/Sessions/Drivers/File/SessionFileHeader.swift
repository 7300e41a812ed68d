/// The header at the start of every file ``FileSessionDriver`` writes: the magic bytes `SSF1`
/// and the session's version as 8 bytes little-endian, followed by the payload.
enum SessionFileHeader {
    /// `SSF1`.
    static let magic: [UInt8] = [0x53, 0x53, 0x46, 0x31]
    /// The header's length in bytes: the magic and the version.
    static let size = 12

    /// The whole file for `payload` stored under `version`.
    static func file(version: UInt64, payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(size + payload.count)
        bytes.append(contentsOf: magic)
        for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: version >> UInt64(shift)))
        }
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The version in `header` (exactly ``size`` bytes), or nil when it does not start with the
    /// magic bytes.
    static func version(in header: some Collection<UInt8>) -> UInt64? {
        guard header.count == size, header.starts(with: magic) else { return nil }
        return header.dropFirst(magic.count).reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }
}
