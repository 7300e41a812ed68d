/// A session's values, keyed by string: the ones still in the stored payload, found by scanning
/// its bytes, and the ones this request changed.
///
/// A request usually touches one or two keys of ten. Loading the stored values into a
/// dictionary would make a `String` and a hash for every key on every request; instead the
/// payload's entries are indexed as byte ranges, a lookup compares key bytes, and an encode
/// copies unchanged entries back byte for byte. Changes live in a short list beside them.
///
/// Keys are unique: a payload that repeats a key does not decode.
struct SessionEntries: Sendable, ExpressibleByDictionaryLiteral {
    /// The payload the stored entries live in.
    private var payload: [UInt8] = []
    /// The stored entries, in payload order.
    private var stored: [StoredEntry] = []
    /// This request's changes, one per key, in the order first made. Scanned by index, so that
    /// comparing keys copies no entry.
    private var changes: [Change] = []

    /// A key this request changed, and its entry now (nil removes the key).
    private struct Change: Sendable {
        var key: String
        var entry: SessionEntry?
    }

    /// Where one stored entry sits in the payload.
    private struct StoredEntry: Sendable {
        /// The first byte of the entry: its key's length prefix.
        var start: Int
        /// The key's UTF-8 bytes.
        var key: Range<Int>
        /// The value's tagged bytes; the entry ends where the value does.
        var valueEnd: Int
    }

    init(dictionaryLiteral elements: (String, SessionEntry)...) {
        for (key, entry) in elements { self[key] = entry }
    }

    /// Indexes `count` entries of `reader`'s payload, starting at its position, checking that
    /// each key is valid UTF-8, each value is well formed, and no key repeats.
    init(count: Int, from reader: inout ByteReader, payload: [UInt8]) throws(PayloadError) {
        self.payload = payload
        stored.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.index
            let key = try reader.skipBlob()
            try ValueCodec.skip(&reader)
            stored.append(StoredEntry(start: start, key: key, valueEnd: reader.index))
        }
        try payload.withUnsafeBufferPointer { (bytes) throws(PayloadError) in
            for entry in stored { try ByteReader.checkUTF8(UnsafeBufferPointer(rebasing: bytes[entry.key])) }
            try checkUniqueKeys(in: bytes)
        }
    }

    /// The entry under `key`, or nil when there is none. Setting nil removes the key.
    subscript(key: String) -> SessionEntry? {
        get {
            if let change = changeIndex(of: key) { return changes[change].entry }
            guard let index = storedIndex(of: key) else { return nil }
            let entry = stored[index]
            return .stored(payload[entry.key.upperBound..<entry.valueEnd])
        }
        set {
            if let change = changeIndex(of: key) {
                changes[change].entry = newValue
            } else {
                // Room for a few changes at once: a new session is usually given several keys.
                if changes.isEmpty { changes.reserveCapacity(8) }
                changes.append(Change(key: key, entry: newValue))
            }
        }
    }

    /// Removes every entry.
    mutating func removeAll() {
        self = [:]
    }

    /// Whether no key holds a value.
    var isEmpty: Bool {
        var empty = true
        forEachEntry { _, _ in empty = false }
        return empty
    }

    /// Every key and value, in dynamic form through `transform`; nil results are left out.
    /// Every key held.
    var keys: [String] {
        var keys: [String] = []
        forEachEntry { key, _ in keys.append(key()) }
        return keys
    }

    func compactMapValues<Value>(_ transform: (SessionEntry) -> Value?) -> [String: Value] {
        var result: [String: Value] = [:]
        forEachEntry { key, entry in result[key()] = transform(entry) }
        return result
    }

    /// Appends the entry count, then each entry (key, tagged value) to `writer`. Unchanged
    /// stored entries are copied as they are, in runs.
    /// - Throws: ``SessionError/unencodable(key:reason:)`` for a changed value that cannot be encoded.
    func write(into writer: inout ByteWriter) throws {
        payload.withUnsafeBufferPointer { bytes in
            var count = 0
            for index in changes.indices where changes[index].entry != nil { count += 1 }
            for entry in stored where !isChanged(entry, in: bytes) { count += 1 }
            writer.varint(UInt64(count))
            var run: Range<Int>?
            for entry in stored where !isChanged(entry, in: bytes) {
                if let current = run, current.upperBound == entry.start {
                    run = current.lowerBound..<entry.valueEnd
                } else {
                    if let current = run { writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[current])) }
                    run = entry.start..<entry.valueEnd
                }
            }
            if let run { writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run])) }
        }
        for index in changes.indices where changes[index].entry != nil {
            writer.string(changes[index].key)
            try changes[index].entry?.write(into: &writer, key: changes[index].key)
        }
    }

    /// The encoded size (exact unless a changed value is of an uncommon type), for reserving
    /// capacity: the unchanged stored entries and each change.
    var sizeEstimate: Int {
        var size = ByteWriter.varintSize(UInt64(stored.count + changes.count))
        payload.withUnsafeBufferPointer { bytes in
            for entry in stored where !isChanged(entry, in: bytes) { size += entry.valueEnd - entry.start }
        }
        for index in changes.indices {
            size += ByteWriter.blobSize(changes[index].key.utf8.count) + (changes[index].entry?.sizeEstimate ?? 0)
        }
        return size
    }

    // MARK: - Finding entries

    /// Calls `body` with each key (made into a `String` only when asked for) and value present.
    private func forEachEntry(_ body: (() -> String, SessionEntry) -> Void) {
        payload.withUnsafeBufferPointer { bytes in
            for entry in stored where !isChanged(entry, in: bytes) {
                body({ String(decoding: payload[entry.key], as: UTF8.self) }, .stored(payload[entry.key.upperBound..<entry.valueEnd]))
            }
        }
        for change in changes {
            if let entry = change.entry { body({ change.key }, entry) }
        }
    }

    /// Whether this request changed (or removed) the stored entry's key.
    private func isChanged(_ entry: StoredEntry, in payload: UnsafeBufferPointer<UInt8>) -> Bool {
        let stored = UnsafeBufferPointer(rebasing: payload[entry.key])
        for index in changes.indices where Self.key(changes[index].key, equals: stored) { return true }
        return false
    }

    private func changeIndex(of key: String) -> Int? {
        changes.indices.first { changes[$0].key == key }
    }

    private func storedIndex(of key: String) -> Int? {
        payload.withUnsafeBufferPointer { bytes in
            stored.firstIndex { Self.key(key, equals: UnsafeBufferPointer(rebasing: bytes[$0.key])) }
        }
    }

    private static func key(_ key: String, equals stored: UnsafeBufferPointer<UInt8>) -> Bool {
        key.utf8.withContiguousStorageIfAvailable { equal($0, stored) } ?? key.utf8.elementsEqual(stored)
    }

    private static func equal(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        for index in 0..<left.count where left[index] != right[index] { return false }
        return true
    }

    // MARK: - Checks

    private func checkUniqueKeys(in bytes: UnsafeBufferPointer<UInt8>) throws(PayloadError) {
        guard stored.count <= 16 else {
            var seen = Set<ArraySlice<UInt8>>(minimumCapacity: stored.count)
            for entry in stored where !seen.insert(payload[entry.key]).inserted { throw .malformed("repeated key") }
            return
        }
        for (offset, entry) in stored.enumerated() {
            let key = UnsafeBufferPointer(rebasing: bytes[entry.key])
            for other in stored[(offset + 1)...] where Self.equal(key, UnsafeBufferPointer(rebasing: bytes[other.key])) {
                throw .malformed("repeated key")
            }
        }
    }
}
