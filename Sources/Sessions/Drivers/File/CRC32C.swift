/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and SCTP): reflected polynomial
/// `0x82F63B78`, initial value and final XOR `0xFFFFFFFF`. The checksum of the ASCII bytes
/// `123456789` is `0xE3069283`.
///
/// Table-driven, eight bytes per step ("slicing by 8"), so that checking a slot of a session
/// file costs little next to the system calls that read it, even in a debug build.
enum CRC32C {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes, without the initial value
    /// or final XOR; `tables[0]` is the classic byte-at-a-time table.
    private static let tables: [[UInt32]] = {
        var first = [UInt32](repeating: 0, count: 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0x82F6_3B78) }
            first[byte] = crc
        }
        var tables = [first]
        for _ in 1..<8 {
            let previous = tables[tables.count - 1]
            tables.append((0..<256).map { (previous[$0] >> 8) ^ first[Int(previous[$0] & 0xFF)] })
        }
        return tables
    }()

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        update(0, with: bytes)
    }

    /// The checksum of the bytes `checksum` covers followed by `bytes`: `update(checksum(a), with: b)`
    /// equals the checksum of `a + b`.
    static func update(_ checksum: UInt32, with bytes: some Collection<UInt8>) -> UInt32 {
        let state = ~checksum
        let result = bytes.withContiguousStorageIfAvailable { update(state: state, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { update(state: state, $0) }
        return ~result
    }

    /// Runs the CRC register `state` over `buffer`.
    private static func update(state: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc = state
        var index = 0
        let count = buffer.count
        tables.withUnsafeBufferPointer { tables in
            let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
            let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
            while count - index >= 8 {
                let low = crc
                    ^ (UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8
                        | UInt32(buffer[index + 2]) << 16 | UInt32(buffer[index + 3]) << 24)
                crc = t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)]
                    ^ t5[Int((low >> 16) & 0xFF)] ^ t4[Int(low >> 24)]
                    ^ t3[Int(buffer[index + 4])] ^ t2[Int(buffer[index + 5])]
                    ^ t1[Int(buffer[index + 6])] ^ t0[Int(buffer[index + 7])]
                index += 8
            }
            while index < count {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(buffer[index])) & 0xFF)]
                index += 1
            }
        }
        return crc
    }
}
