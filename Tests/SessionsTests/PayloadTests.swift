import Foundation
import Testing

@testable import Sessions

/// Corrupt, truncated, forged and unknown-version payloads give a fresh session and an event.
@Suite struct PayloadTests {
    func storedPayload(_ fixture: Fixture) async throws -> (SessionIdentifier, [UInt8]) {
        let session = try await fixture.manager.buildSession()
        session.put(["name": "Ada", "list": [1, 2, 3], "nested": ["a": ["b": true]]])
        session.flash("status", "ok")
        _ = session.token
        try await session.save()
        let stored = try #require(try await fixture.memory.read(session.id))
        return (session.id, stored.payload)
    }

    func expectFresh(_ fixture: Fixture, id: SessionIdentifier, payload: [UInt8]) async throws {
        try await fixture.memory.write(id, payload: payload, at: fixture.time.now)
        let session = try await fixture.manager.buildSession(id: id.rawValue)
        #expect(session.id != id, "a corrupt payload was adopted")
        #expect(session.all().isEmpty)
    }

    @Test func everyTruncationIsRejectedWithoutACrash() async throws {
        let fixture = try Fixture()
        let (id, payload) = try await storedPayload(fixture)
        for length in 0..<payload.count {
            try await expectFresh(fixture, id: id, payload: Array(payload.prefix(length)))
        }
        #expect(fixture.events.all.contains { if case .corruptPayload(SessionFingerprint(id), _) = $0 { true } else { false } })
    }

    @Test func unknownVersionAndTrailingBytesAreRejected() async throws {
        let fixture = try Fixture()
        let (id, payload) = try await storedPayload(fixture)
        var future = payload
        future[0] = 99
        try await expectFresh(fixture, id: id, payload: future)
        try await expectFresh(fixture, id: id, payload: payload + [0])
        #expect(fixture.events.all.contains(.corruptPayload(SessionFingerprint(id), reason: "unknown payload format version 99")))
    }

    @Test func randomBytesAndBitFlipsNeverCrash() async throws {
        let fixture = try Fixture()
        let (id, payload) = try await storedPayload(fixture)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            var bytes = payload
            if round % 2 == 0 {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] ^= UInt8.random(in: 1...255, using: &generator)
            } else {
                bytes = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            try await fixture.memory.write(id, payload: bytes, at: fixture.time.now)
            let session = try await fixture.manager.buildSession(id: id.rawValue)
            _ = session.all()
            _ = session.get("list", as: [Int].self)
        }
    }

    @Test func forgedHugeLengthsAndDeepNestingAreRejected() async throws {
        let fixture = try Fixture()
        let id = SessionIdentifier.random()
        let header = handWrittenEnvelopeHeader()
        var huge = header
        huge.varint(1)
        huge.string("k")
        huge.byte(ValueCodec.Tag.string.rawValue)
        huge.varint(UInt64.max >> 1)
        try await expectFresh(fixture, id: id, payload: huge.bytes)
        var deep = header
        deep.varint(1)
        deep.string("k")
        for _ in 0..<100_000 {
            deep.byte(ValueCodec.Tag.array.rawValue)
            deep.varint(1)
        }
        deep.byte(ValueCodec.Tag.null.rawValue)
        try await expectFresh(fixture, id: id, payload: deep.bytes)
    }

    @Test func corruptPayloadDoesNotTouchOtherSessions() async throws {
        let fixture = try Fixture()
        let (healthy, _) = try await storedPayload(fixture)
        let broken = SessionIdentifier.random()
        try await fixture.memory.write(broken, payload: [1, 2, 3], at: fixture.time.now)
        _ = try await fixture.manager.buildSession(id: broken.rawValue)
        let session = try #require(try await fixture.manager.load(id: healthy.rawValue))
        #expect(session.get("name") == "Ada")
    }

    @Test func encodedSessionIsCompact() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put(["user_id": 12345, "name": "Ada Lovelace", "admin": false, "visits": 42])
        try await session.save()
        let stored = try #require(try await fixture.memory.read(session.id))
        let json = try JSONEncoder().encode(session.all())
        #expect(stored.payload.count < json.count + 30, "binary envelope \(stored.payload.count) B vs JSON data \(json.count) B")
    }
}
