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
        #expect(!moved.validateToken(oldToken), "regenerate kept the CSRF secret")
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

    @Test func everyReadOfTheTokenIsAFreshMaskedCopyOfOneSecret() async throws {
        let session = try await fixture.manager.buildSession()
        let token = session.token
        let again = session.token
        #expect(token.count == 80 && again.count == 80)
        #expect(token != again, "two pages carried the same token bytes (BREACH)")
        let secret = try #require(session.read { $0.envelope.token })
        #expect(!token.contains(secret) && !again.contains(secret), "the secret showed in a masked token")
        #expect(session.validateToken(token) && session.validateToken(again))
    }

    @Test func aTokenValidatesOnlyWhenItUnmasksToTheSecret() async throws {
        let session = try await fixture.manager.buildSession()
        let token = session.token
        // The last character changed to another one (never the same: "x" or "y").
        #expect(!session.validateToken(String(token.dropLast()) + (token.hasSuffix("x") ? "y" : "x")))
        #expect(!session.validateToken(String(token.dropFirst()) + (token.hasPrefix("x") ? "y" : "x")))
        #expect(!session.validateToken(""))
        #expect(!session.validateToken(String(repeating: "A", count: 80)))
        #expect(!session.validateToken(token + "A"))
        let other = try await fixture.manager.buildSession()
        #expect(!other.validateToken(token), "a token of another session validated")
        let secret = try #require(session.read { $0.envelope.token })
        #expect(session.validateToken(secret), "the bare secret (a page rendered before masking) was refused")
    }

    @Test func regeneratingTheTokenRetiresEveryCopyHandedOut() async throws {
        let session = try await fixture.manager.buildSession()
        let first = session.token
        let second = session.token
        let replaced = session.regenerateToken()
        #expect(session.validateToken(replaced) && session.validateToken(session.token))
        #expect(!session.validateToken(first) && !session.validateToken(second))
    }

    @Test func aStoredSecretThatIsNotOneIsReplacedNotTrusted() async throws {
        let session = try await fixture.manager.buildSession()
        session.record(.token("short", ifMissing: false))
        #expect(!session.validateToken("short"), "an unusable stored secret matched itself")
        let token = session.token
        #expect(session.validateToken(token))
        #expect(session.read { $0.envelope.token } != "short")
    }

    @Test func tokenSurvivesStorage() async throws {
        let session = try await fixture.manager.buildSession()
        let token = session.token
        try await session.save()
        #expect(session.isStored, "a session whose token was used was not stored")
        let loaded = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(loaded.validateToken(token))
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
