import Foundation
import Testing

@testable import Sessions

/// Per-session expiry: each session's own idle lifetime, its deadline in the store and in the
/// cookie, and the absolute lifetime capping both.
@Suite struct ExpiryTests {
    /// Runs one request presenting `id` (none for a new visitor) and returns its session and the
    /// `Set-Cookie` it got.
    func request(
        _ fixture: Fixture, id: SessionIdentifier? = nil, _ handler: (Session) throws -> Void = { _ in }
    ) async throws -> (session: Session, setCookie: String?) {
        let started = try await fixture.lifecycle.start(cookieHeaders: id.map { ["swift_session=\($0.rawValue)"] } ?? [])
        try handler(started.session)
        let headers = try await fixture.lifecycle.finish(started, status: 200)
        return (started.session, headers.value("Set-Cookie"))
    }

    /// The Max-Age of a `Set-Cookie` value.
    func maxAge(_ setCookie: String?) -> Int? {
        guard let setCookie, let range = setCookie.range(of: "Max-Age=") else { return nil }
        return Int(setCookie[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func aSessionOfItsOwnLifetimeOutlivesTheConfiguredOne() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(120) }
        let month = Duration.seconds(30 * 24 * 3600)
        let (session, setCookie) = try await request(fixture) { session in
            session.put("user", "ada")
            session.idleLifetime = month
        }
        #expect(maxAge(setCookie) == 30 * 24 * 3600, "the cookie did not follow the session's own lifetime: \(setCookie ?? "none")")
        let stored = try #require(try await fixture.memory.read(session.id))
        #expect(stored.metadata.expiresAt == fixture.time.now.addingTimeInterval(30 * 24 * 3600))
        #expect(session.expiresAt == stored.metadata.expiresAt)

        fixture.time.advance(by: .minutes(600))
        let (later, _) = try await request(fixture, id: session.id)
        #expect(later.id == session.id, "the session expired on the configured lifetime")
        #expect(later.get("user") == "ada")
        #expect(later.idleLifetime == month)
    }

    @Test func aShorterLifetimeOfItsOwnEndsTheSessionSooner() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(120) }
        let (session, setCookie) = try await request(fixture) { session in
            session.put("step", 1)
            session.idleLifetime = .minutes(5)
        }
        #expect(maxAge(setCookie) == 300)
        fixture.time.advance(by: .minutes(6))
        let (later, _) = try await request(fixture, id: session.id)
        #expect(later.id != session.id, "a session outlived its own five-minute lifetime")
    }

    @Test func settingTheLifetimeOnAStoredSessionSendsTheCookieAgain() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(120) }
        let (first, _) = try await request(fixture) { $0.put("user", "ada") }
        fixture.time.advance(by: .seconds(10))
        let (unchanged, quiet) = try await request(fixture, id: first.id)
        #expect(quiet == nil, "an unchanged session sent its cookie again")
        let (_, renewed) = try await request(fixture, id: unchanged.id) { $0.idleLifetime = .seconds(14 * 24 * 3600) }
        #expect(maxAge(renewed) == 14 * 24 * 3600, "remember-me did not send the longer cookie: \(renewed ?? "none")")
    }

    @Test func theAbsoluteLifetimeCapsTheSessionsOwnLifetimeAndItsCookie() async throws {
        let fixture = try Fixture {
            $0.lifetime = .minutes(120)
            $0.absoluteLifetime = .minutes(60)
        }
        let (session, setCookie) = try await request(fixture) { session in
            session.put("user", "ada")
            session.idleLifetime = .seconds(30 * 24 * 3600)
        }
        #expect(maxAge(setCookie) == 3600, "the cookie outlives the absolute lifetime: \(setCookie ?? "none")")
        #expect(session.expiresAt == session.createdAt.addingTimeInterval(3600))

        fixture.time.advance(by: .minutes(40))
        let (later, renewed) = try await request(fixture, id: session.id) { $0.put("seen", true) }
        #expect(later.id == session.id)
        if let age = maxAge(renewed) { #expect(age <= 20 * 60, "a renewed cookie outlives the absolute end: \(age) s") }
        let stored = try #require(try await fixture.memory.read(session.id))
        #expect(stored.metadata.expiresAt == session.createdAt.addingTimeInterval(3600))
        fixture.time.advance(by: .minutes(21))
        let (ended, _) = try await request(fixture, id: session.id)
        #expect(ended.id != session.id, "a session outlived its absolute lifetime")
    }

    @Test func expiresAtIsTheDeadlineAndMovesWithTouch() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(30) }
        let fresh = try await fixture.manager.buildSession()
        #expect(fresh.expiresAt == fixture.time.now.addingTimeInterval(1800), "a new session's deadline is not its lifetime from now")
        let (session, _) = try await request(fixture) { $0.put("a", 1) }
        let written = session.expiresAt
        #expect(written == fixture.time.now.addingTimeInterval(1800))

        // Within the touch interval (3 minutes) nothing moves; after it, a touch moves the deadline.
        fixture.time.advance(by: .minutes(1))
        let (early, _) = try await request(fixture, id: session.id)
        #expect(early.expiresAt == written)
        #expect(fixture.probe.calls("touch") == 0)
        fixture.time.advance(by: .minutes(4))
        let (late, _) = try await request(fixture, id: session.id)
        #expect(fixture.probe.calls("touch") + fixture.probe.calls("write") >= 2, "the session's deadline was not renewed")
        #expect(late.expiresAt == fixture.time.now.addingTimeInterval(1800))
        #expect(try await fixture.memory.read(session.id)?.metadata.expiresAt == late.expiresAt)
    }

    @Test func aStoredUserKeyAndCreationTimeSurviveASave() async throws {
        let fixture = try Fixture()
        let seeded = try await fixture.storedSession(["user": "ada"])
        var stored = try #require(try await fixture.memory.read(seeded))
        stored.metadata.userKey = "user-42"
        try await fixture.memory.write(seeded, payload: stored.payload, metadata: stored.metadata)
        fixture.time.advance(by: .minutes(10))
        let (session, _) = try await request(fixture, id: seeded) { $0.put("seen", true) }
        let after = try #require(try await fixture.memory.read(session.id))
        #expect(after.metadata.userKey == "user-42", "a save dropped the user key")
        #expect(after.metadata.createdAt == stored.metadata.createdAt)
        #expect(after.metadata.createdAt == session.createdAt)
    }

    @Test func aTombstoneLeavesTheStoreAtItsOwnDeadline() async throws {
        let fixture = try Fixture { $0.tombstoneLifetime = .seconds(30) }
        let (session, _) = try await request(fixture) { $0.put("user", "ada") }
        let old = session.id
        _ = try await request(fixture, id: old) { $0.regenerate() }
        let tombstone = try #require(try await fixture.memory.read(old))
        #expect(tombstone.metadata.expiresAt == fixture.time.now.addingTimeInterval(30))
        fixture.time.advance(by: .seconds(31))
        #expect(try await fixture.memory.read(old) == nil, "the tombstone stayed for the whole idle lifetime")
    }

    @Test func onlyASessionWithItsOwnLifetimeSpendsBytesOnIt() async throws {
        var envelope = SessionEnvelope(createdAt: Date(timeIntervalSince1970: 1_799_999_000), cookieExpiresAt: Date())
        let plain = try envelope.encoded()
        #expect(plain.first == SessionEnvelope.formatVersion)
        #expect(try SessionEnvelope(decoding: plain).idleLifetime == nil)
        envelope.idleLifetime = 86_400
        let own = try envelope.encoded()
        #expect(own.first == SessionEnvelope.ownLifetimeVersion)
        #expect(own.count == plain.count + 8)
        #expect(try SessionEnvelope(decoding: own).idleLifetime == 86_400)
        var zero = own
        zero.replaceSubrange(17..<25, with: [UInt8](repeating: 0, count: 8))
        #expect(throws: PayloadError.self) { try SessionEnvelope(decoding: zero) }
    }

    @Test func idleLifetimeIsKeptWithinItsBounds() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(120) }
        let session = try await fixture.manager.buildSession()
        #expect(session.idleLifetime == .seconds(7200))
        session.idleLifetime = .zero
        #expect(session.idleLifetime == .seconds(1))
        session.idleLifetime = .seconds(Int64.max)
        #expect(session.idleLifetime == .seconds(Int64(SessionConfig.Settings.maximumLifetimeMinutes) * 60))
        session.idleLifetime = .seconds(7200)
        #expect(session.idleLifetime == .seconds(7200))
    }
}
