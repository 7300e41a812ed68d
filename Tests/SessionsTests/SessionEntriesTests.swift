import Foundation
import Testing

@testable import Sessions

/// The byte-range index of a session's stored values, and the changes beside it.
@Suite struct SessionEntriesTests {
    /// An envelope holding `values` (in that order), encoded and decoded again.
    func stored(_ values: [(String, SessionValue)]) throws -> SessionEnvelope {
        var envelope = SessionEnvelope(createdAt: Date(timeIntervalSince1970: 1), cookieExpiresAt: Date(timeIntervalSince1970: 2))
        for (key, value) in values { envelope.entries[key] = .put(value) }
        return try SessionEnvelope(decoding: envelope.encoded())
    }

    /// A payload with an entry under each of `keys` (each holding true), written by hand so it
    /// can say what our encoder never would.
    func handWritten(keys: [String]) -> [UInt8] {
        var writer = handWrittenEnvelopeHeader(createdAt: 1, cookieExpiresAt: 2)
        writer.varint(UInt64(keys.count))
        for key in keys {
            writer.string(key)
            writer.byte(ValueCodec.Tag.isTrue.rawValue)
        }
        return writer.bytes
    }

    @Test func storedValuesAreFoundByKeyIncludingNonASCIIKeys() throws {
        let envelope = try stored([("user_id", 42), ("名前", "Ada"), ("", true), ("emoji 🎉", [1, 2])])
        #expect(envelope.entries["user_id"]?.value(as: Int.self) == 42)
        #expect(envelope.entries["名前"]?.value(as: String.self) == "Ada")
        #expect(envelope.entries[""]?.value(as: Bool.self) == true)
        #expect(envelope.entries["emoji 🎉"]?.value(as: [Int].self) == [1, 2])
        #expect(envelope.entries["user"] == nil)
        #expect(envelope.entries["user_id "] == nil)
    }

    @Test func changesShadowStoredValuesAndSurviveAnEncode() throws {
        var envelope = try stored([("a", 1), ("b", 2), ("c", 3), ("d", 4)])
        envelope.entries["b"] = .put(20)
        envelope.entries["c"] = nil
        envelope.entries["e"] = .put("new")
        envelope.entries["e"] = .put("newer")
        #expect(envelope.entries["b"]?.value(as: Int.self) == 20)
        #expect(envelope.entries["c"] == nil)

        let again = try SessionEnvelope(decoding: envelope.encoded())
        let all = again.entries.compactMapValues { $0.value(as: SessionValue.self) }
        #expect(all == ["a": 1, "b": 20, "d": 4, "e": "newer"])
    }

    @Test func unchangedEntriesAreCopiedByteForByte() throws {
        let original = try stored([("a", 1), ("b", "two"), ("c", [3.5]), ("d", ["x": true])])
        let payload = try original.encoded()
        #expect(try SessionEnvelope(decoding: payload).encoded() == payload)

        var changed = try SessionEnvelope(decoding: payload)
        changed.entries["b"] = nil
        changed.entries["b"] = .put("two")
        // The same values, with `b` moved to the end as a change.
        let again = try SessionEnvelope(decoding: changed.encoded())
        #expect(again.entries.compactMapValues { $0.value(as: SessionValue.self) } == original.entries.compactMapValues { $0.value(as: SessionValue.self) })
    }

    @Test func anEncodedPayloadCarriesNoSpareCapacity() throws {
        // The memory driver copies a payload with more than 16 bytes to spare; sized right, a
        // save allocates once.
        var envelope = SessionEnvelope(createdAt: Date(), cookieExpiresAt: Date())
        envelope.token = String(repeating: "t", count: 40)
        let values: [String: SessionValue] = [
            "user_id": 42, "name": "Ada Lovelace", "locale": "en-GB", "is_admin": false, "verified": true,
            "beta": false, "visits": -1_000_000, "plan_id": 3, "theme": "dark", "count": 0,
        ]
        for (key, value) in values { envelope.entries[key] = .put(value) }
        envelope.entries["typed"] = .put(Int.max)
        envelope.entries["text"] = .put("é" + String(repeating: "x", count: 200))
        envelope.flashNew = ["status"]
        // What the encoder asks for, not the allocator's answer: glibc may hand out a reused
        // chunk up to 31 bytes larger than asked, more often under load.
        let fresh = try envelope.encoded()
        #expect((fresh.count...(fresh.count + 16)).contains(envelope.sizeEstimate), "\(envelope.sizeEstimate) reserved for \(fresh.count)")

        var returning = try SessionEnvelope(decoding: fresh)
        returning.entries["count"] = .put(1)
        returning.entries["name"] = nil
        let again = try returning.encoded()
        #expect((again.count...(again.count + 16)).contains(returning.sizeEstimate), "\(returning.sizeEstimate) reserved for \(again.count)")
    }

    @Test func removeAllThenPutKeepsOnlyTheNewValues() throws {
        var envelope = try stored([("a", 1), ("b", 2)])
        #expect(!envelope.entries.isEmpty)
        envelope.entries.removeAll()
        #expect(envelope.entries.isEmpty)
        envelope.entries["c"] = .put(3)
        let again = try SessionEnvelope(decoding: envelope.encoded())
        #expect(again.entries.compactMapValues { $0.value(as: Int.self) } == ["c": 3])
    }

    @Test func removingEveryKeyLeavesAnEmptySession() throws {
        var envelope = try stored([("a", 1), ("b", 2)])
        envelope.entries["a"] = nil
        envelope.entries["b"] = nil
        #expect(envelope.entries.isEmpty)
        #expect(try SessionEnvelope(decoding: envelope.encoded()).entries.isEmpty)
    }

    @Test(arguments: [2, 16, 17, 200])
    func aRepeatedKeyIsRejected(count: Int) throws {
        var keys = (0..<count - 1).map { "key\($0)" }
        keys.append(keys[(count - 1) / 2])
        #expect(throws: PayloadError.malformed("repeated key")) { try SessionEnvelope(decoding: handWritten(keys: keys)) }
        keys[count - 1] = "unique"
        #expect(try SessionEnvelope(decoding: handWritten(keys: keys)).entries["unique"] != nil)
    }

    @Test func aKeyThatIsNotUTF8IsRejected() throws {
        var payload = handWritten(keys: ["ab"])
        let key = try #require(payload.lastIndex(of: UInt8(ascii: "b")))
        payload[key] = 0xFF
        #expect(throws: PayloadError.malformed("invalid UTF-8")) { try SessionEnvelope(decoding: payload) }
    }
}
