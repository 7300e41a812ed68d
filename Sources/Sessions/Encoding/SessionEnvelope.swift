import Foundation

/// The stored form of a session: a versioned binary envelope.
///
/// Layout (integers are LEB128 varints, dates and durations 8-byte little-endian seconds,
/// strings length-prefixed UTF-8):
/// ```
/// version: 1 byte         1, or 2 for a session with an idle lifetime of its own
/// createdAt: date         when the session was first stored (for the absolute lifetime)
/// cookieExpiresAt: date   the expiry its cookie last went out with
/// idleLifetime: seconds   version 2 only: the session's own idle lifetime
/// token: string           the CSRF secret (40 base64url characters), empty when none
/// flashNew, flashOld: count, then keys
/// entries: count, then (key string, tagged value) pairs
/// ```
/// Most sessions have no lifetime of their own and spend no byte on it. Decoding checks the whole structure but keeps
/// each value as its encoded bytes; a value is decoded only when a request reads it, and written
/// back untouched when it did not.
struct SessionEnvelope {
    static let formatVersion: UInt8 = 1
    /// The version of a session with an idle lifetime of its own.
    static let ownLifetimeVersion: UInt8 = 2

    var createdAt: Date
    /// The expiry the session's cookie last went out with (stored before per-session deadlines:
    /// when it went out, which reads as an earlier expiry, so the cookie is renewed sooner once).
    var cookieExpiresAt: Date
    /// The session's own idle lifetime in seconds (``Session/idleLifetime``); nil for the
    /// configured one.
    var idleLifetime: Double?
    var token: String?
    var flashNew: [String] = []
    var flashOld: [String] = []
    var entries: SessionEntries = [:]

    init(createdAt: Date, cookieExpiresAt: Date) {
        self.createdAt = createdAt
        self.cookieExpiresAt = cookieExpiresAt
    }

    init(decoding bytes: [UInt8]) throws(PayloadError) {
        var reader = ByteReader(bytes[...])
        let version = try reader.byte()
        guard version == Self.formatVersion || version == Self.ownLifetimeVersion else { throw .unknownVersion(version) }
        createdAt = Date(timeIntervalSince1970: try reader.double())
        cookieExpiresAt = Date(timeIntervalSince1970: try reader.double())
        if version == Self.ownLifetimeVersion {
            let idle = try reader.double()
            guard idle.isFinite, idle > 0 else { throw .malformed("idle lifetime \(idle)") }
            idleLifetime = idle
        }
        let token = try reader.string()
        self.token = token.isEmpty ? nil : token
        flashNew = try Self.keys(&reader)
        flashOld = try Self.keys(&reader)
        entries = try SessionEntries(count: try reader.count(), from: &reader, payload: bytes)
        guard reader.isAtEnd else { throw .malformed("trailing bytes") }
    }

    /// The first byte of a tombstone: an ID retired by `regenerate` or `invalidate`.
    static let tombstoneMarker: UInt8 = 0xFF

    /// A tombstone standing until `deadline`: the marker, then the date.
    static func tombstone(until deadline: Date) -> [UInt8] {
        var writer = ByteWriter(capacity: 9)
        writer.byte(tombstoneMarker)
        writer.double(deadline.timeIntervalSince1970)
        return writer.bytes
    }

    /// The deadline of a tombstone payload, or nil when `bytes` is not one.
    static func tombstoneDeadline(_ bytes: [UInt8]) -> Date? {
        guard bytes.first == tombstoneMarker, bytes.count == 9 else { return nil }
        var reader = ByteReader(bytes[1...])
        return (try? reader.double()).map { Date(timeIntervalSince1970: $0) }
    }

    /// The envelope's bytes. Values put during this request are encoded here, so a value that
    /// cannot be encoded surfaces as an error at save, naming its key.
    func encoded() throws -> [UInt8] {
        // Sized to fit, so the stored array carries no spare capacity (the memory driver would
        // otherwise copy it to shed that).
        var writer = ByteWriter(capacity: sizeEstimate)
        writer.byte(idleLifetime == nil ? Self.formatVersion : Self.ownLifetimeVersion)
        writer.double(createdAt.timeIntervalSince1970)
        writer.double(cookieExpiresAt.timeIntervalSince1970)
        if let idleLifetime { writer.double(idleLifetime) }
        writer.string(token ?? "")
        Self.write(keys: flashNew, into: &writer)
        Self.write(keys: flashOld, into: &writer)
        try entries.write(into: &writer)
        return writer.bytes
    }

    /// The bytes ``encoded()`` reserves: the encoded size, or a little more (an entry's value is
    /// estimated before it is encoded).
    var sizeEstimate: Int {
        (idleLifetime == nil ? 17 : 25) + ByteWriter.blobSize(token?.utf8.count ?? 0) + Self.size(keys: flashNew) + Self.size(keys: flashOld)
            + entries.sizeEstimate
    }

    private static func keys(_ reader: inout ByteReader) throws(PayloadError) -> [String] {
        let count = try reader.count()
        var keys: [String] = []
        keys.reserveCapacity(count)
        for _ in 0..<count { keys.append(try reader.string()) }
        return keys
    }

    private static func size(keys: [String]) -> Int {
        keys.reduce(ByteWriter.varintSize(UInt64(keys.count))) { $0 + ByteWriter.blobSize($1.utf8.count) }
    }

    private static func write(keys: [String], into writer: inout ByteWriter) {
        writer.varint(UInt64(keys.count))
        for key in keys { writer.string(key) }
    }
}
