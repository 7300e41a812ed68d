/// The geometry of a session file (format `SSF2`): two slots of ``slotSize`` bytes, slot 0 at
/// offset 0 and slot 1 at offset ``slotSize``, and nothing else, so the file is exactly
/// ``fileSize`` bytes and its size alone gives the slot size (a power of two of at least 512
/// bytes). Each slot holds a
/// ``SessionFileRecord`` or zeros; the session is the valid record with the higher sequence,
/// and a write in place goes to the other slot.
struct SessionFileLayout: Equatable {
    /// The smallest slot: room for a few hundred bytes of payload, in one page for both slots.
    static let minimumSlotSize = 512
    /// The largest payload a slot is ever sized for (1 GiB), so that slot sizes and the record's
    /// 32-bit length field never overflow; the driver refuses larger payloads.
    static let largestPayload = 1 << 30

    /// The size of each slot, in bytes.
    let slotSize: Int

    /// The size of the whole file: two slots.
    var fileSize: Int { 2 * slotSize }

    /// A fresh layout for a payload of `payloadCount` bytes (see ``slotSize(forPayloadCount:)``).
    init(forPayloadCount payloadCount: Int) {
        slotSize = Self.slotSize(forPayloadCount: payloadCount)
    }

    /// The layout of a file of `fileSize` bytes, or nil when no layout has that size: its half,
    /// the slot size, must be a power of two from ``minimumSlotSize`` to `maximumSlotSize`, as
    /// every layout ``init(forPayloadCount:)`` makes is. A file cut short or grown by something
    /// else than the driver thus has no layout.
    init?(fileSize: Int, maximumSlotSize: Int) {
        let slotSize = fileSize / 2
        guard fileSize.isMultiple(of: 2), slotSize >= Self.minimumSlotSize, slotSize <= maximumSlotSize,
            slotSize.nonzeroBitCount == 1
        else { return nil }
        self.slotSize = slotSize
    }

    /// The slot size a fresh layout gets for a payload of `payloadCount` bytes: the smallest power
    /// of two at least ``minimumSlotSize`` and twice the record, so the payload can double before
    /// it no longer fits and the file must be laid out anew.
    static func slotSize(forPayloadCount payloadCount: Int) -> Int {
        let wanted = 2 * (SessionFileRecord.headerSize + min(max(payloadCount, 0), largestPayload))
        var size = minimumSlotSize
        while size < wanted { size <<= 1 }
        return size
    }

    /// Whether a record of a payload of `payloadCount` bytes may be written in place: it fits in
    /// a slot, and the slot is not more than four times what a fresh layout would give it (a
    /// session that shrank a lot gets a smaller file at its next write).
    func holds(payloadCount: Int) -> Bool {
        SessionFileRecord.headerSize + payloadCount <= slotSize
            && Self.slotSize(forPayloadCount: payloadCount) * 4 > slotSize
    }

    /// The offset of slot `index` (0 or 1) in the file.
    func offset(ofSlot index: Int) -> Int {
        index * slotSize
    }

    /// The bytes of slot `index` in `file`, the file's bytes.
    func slot(_ index: Int, of file: [UInt8]) -> ArraySlice<UInt8> {
        file[offset(ofSlot: index)..<(offset(ofSlot: index) + slotSize)]
    }

    /// The session in `file` (the file's ``fileSize`` bytes) and the slot it is in: the valid
    /// record with the higher sequence, or nil when neither slot holds a valid record. Checksums
    /// only the slots it must: the higher sequence first, the other only if that one is torn.
    func winner(in file: [UInt8]) -> (slot: Int, record: SessionFileRecord)? {
        let candidates = [0, 1]
            .compactMap { index in SessionFileRecord.sequence(in: slot(index, of: file)).map { (index, $0) } }
            .sorted { $0.1 > $1.1 }
        for (index, _) in candidates {
            if let record = SessionFileRecord(decoding: slot(index, of: file)) { return (index, record) }
        }
        return nil
    }

    /// A whole file in this layout holding `record` in slot 0, slot 1 zeros. `record` must fit in
    /// a slot (a fresh layout for its payload always does).
    func file(holding record: SessionFileRecord) -> [UInt8] {
        var bytes = record.encoded
        bytes.append(contentsOf: repeatElement(0, count: max(0, fileSize - bytes.count)))
        return bytes
    }
}
