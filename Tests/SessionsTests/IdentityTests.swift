import Foundation
import Testing

@testable import Sessions

@Suite struct IdentityTests {
    let fixture: Fixture

    init() throws { fixture = try Fixture() }

    @Test func regenerateDestroysTheOldIDAtSaveAndKeepsData() async throws {
        let oldID = try await fixture.storedSession(["user": "ada"])
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        let oldToken = session.token
        session.regenerate()
        #expect(session.id != oldID)
        #expect(try await fixture.memory.read(oldID) != nil, "the store changed before save")
        try await session.save()
        #expect(try await fixture.manager.load(id: oldID.rawValue) == nil)
        let tombstone = try #require(try await fixture.memory.read(oldID))
        #expect(SessionEnvelope.tombstoneDeadline(tombstone.payload) == fixture.time.now.addingTimeInterval(30))
        let moved = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(moved.get("user") == "ada")
        #expect(moved.token != oldToken, "regenerate kept the CSRF token")
        #expect(fixture.events.all.contains(.regenerated(from: SessionFingerprint(oldID), to: SessionFingerprint(session.id))))
    }

    @Test func regenerateWithoutDestroyKeepsTheOldSession() async throws {
        let oldID = try await fixture.storedSession()
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        session.regenerate(destroy: false)
        try await session.save()
        #expect(try await fixture.memory.read(oldID) != nil)
        #expect(try await fixture.memory.read(session.id) != nil)
    }

    @Test func regenerateTwiceDestroysOnlyTheStoredID() async throws {
        let fixture = try Fixture { $0.tombstoneLifetime = .seconds(0) }
        let oldID = try await fixture.storedSession()
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        session.regenerate()
        session.regenerate()
        try await session.save()
        #expect(fixture.probe.calls("destroy") == 1)
        #expect(try await fixture.memory.read(oldID) == nil)
    }

    @Test func failedWriteKeepsTheOldSessionValid() async throws {
        let oldID = try await fixture.storedSession(["user": "ada"])
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        session.regenerate()
        fixture.probe.fail(["write"])
        await #expect(throws: ProbeError.injected("write")) { try await session.save() }
        fixture.probe.fail([])
        #expect(try await fixture.memory.read(oldID) != nil)
    }

    @Test func invalidateFlushesAndDestroys() async throws {
        let oldID = try await fixture.storedSession(["user": "ada"])
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        session.flash("status", "x")
        session.invalidate()
        #expect(session.id != oldID)
        #expect(session.all().isEmpty)
        try await session.save()
        #expect(try await fixture.manager.load(id: oldID.rawValue) == nil)
        #expect(!session.isStored, "an empty invalidated session was stored")
    }

    @Test func invalidateThenPutStoresTheNewSession() async throws {
        let oldID = try await fixture.storedSession(["user": "ada"])
        let session = try #require(try await fixture.manager.load(id: oldID.rawValue))
        session.invalidate()
        session.flash("status", "Signed out")
        try await session.save()
        let next = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(next.get("status") == "Signed out")
        #expect(next.get("user", as: String.self) == nil)
    }

    @Test func tokenIsStableComparedInConstantTimeAndRegenerates() async throws {
        let session = try await fixture.manager.buildSession()
        let token = session.token
        #expect(token.count == 40)
        #expect(session.token == token)
        #expect(session.validateToken(token))
        // The last character changed to another one (never the same: "x" or "y").
        #expect(!session.validateToken(String(token.dropLast()) + (token.hasSuffix("x") ? "y" : "x")))
        #expect(!session.validateToken(""))
        let replaced = session.regenerateToken()
        #expect(replaced != token && session.token == replaced)
        #expect(!session.validateToken(token))
    }

    @Test func tokenSurvivesStorage() async throws {
        let session = try await fixture.manager.buildSession()
        let token = session.token
        try await session.save()
        #expect(session.isStored, "a session whose token was used was not stored")
        let loaded = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(loaded.token == token)
    }

    @Test func generatedIDsAreValidAndDistinct() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let text = SessionIdentifier.random().rawValue
            #expect(text.count == 32)
            #expect(SessionIdentifier(validating: text)?.rawValue == text)
            seen.insert(text)
        }
        #expect(seen.count == 1000)
    }

    @Test(arguments: [
        "", "short", String(repeating: "a", count: 31), String(repeating: "a", count: 33),
        String(repeating: "a", count: 31) + "=", String(repeating: "a", count: 31) + "/",
        "../../../../etc/passwd/aaaaaaaaaaaaa", String(repeating: "é", count: 16), String(repeating: "a", count: 100_000),
        String(repeating: "a", count: 31) + "\0",
    ])
    func invalidIDsAreRejected(text: String) {
        #expect(SessionIdentifier(validating: text) == nil)
    }

    @Test func fingerprintsHideTheID() {
        let id = SessionIdentifier.random()
        let fingerprint = SessionFingerprint(id)
        #expect(fingerprint.description.count == 12)
        #expect(fingerprint == SessionFingerprint(id))
        #expect(!id.rawValue.contains(fingerprint.description))
    }
}
