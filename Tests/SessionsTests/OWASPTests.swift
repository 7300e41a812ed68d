import Foundation
import Testing

@testable import Sessions

/// The OWASP Session Management Cheat Sheet's items that apply to a session library, one named
/// test each; the README's Security section lists them beside the promise each proves.
@Suite struct OWASPTests {
    /// One request through the lifecycle.
    func request(_ fixture: Fixture, cookie: String? = nil, _ handler: (Session) throws -> Void = { _ in })
        async throws -> (session: Session, headers: SessionResponse)
    {
        let started = try await fixture.lifecycle.start(cookieHeaders: cookie.map { [$0] } ?? [])
        try handler(started.session)
        return (started.session, try await fixture.lifecycle.finish(started, status: 200))
    }

    @Test func idLengthAndEntropy() {
        // 192 bits from the system CSPRNG, as 32 base64url characters: a million never repeat.
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var seen = Set<SessionIdentifier>(minimumCapacity: 1_000_000)
        var counts = [Int](repeating: 0, count: 256)
        var lengths = Set<Int>()
        for _ in 0..<1_000_000 {
            let id = SessionIdentifier.random()
            let text = id.rawValue
            lengths.insert(text.utf8.count)
            for byte in text.utf8 { counts[Int(byte)] += 1 }
            seen.insert(id)
        }
        #expect(seen.count == 1_000_000, "an ID repeated")
        #expect(lengths == [32])
        let used = Set(counts.indices.filter { counts[$0] > 0 }.map(UInt8.init))
        #expect(used == alphabet, "the IDs do not use exactly the base64url alphabet")
        // 32,000,000 characters over 64 symbols: 500,000 each; a fair source stays within 1%.
        #expect(alphabet.allSatisfy { (495_000...505_000).contains(counts[Int($0)]) }, "\(alphabet.map { counts[Int($0)] }.sorted())")
    }

    @Test func strictModeNeverAdoptsAnUnknownID() async throws {
        let fixture = try Fixture()
        let planted = SessionIdentifier.random()
        let (session, headers) = try await request(fixture, cookie: "swift_session=\(planted.rawValue)") { $0.put("user", "mallory") }
        #expect(session.id != planted, "an attacker-chosen ID was adopted (session fixation)")
        #expect(cookieID(headers.value("Set-Cookie")) == session.id.rawValue)
        #expect(try await fixture.manager.load(id: planted.rawValue) == nil)
    }

    @Test func renewalOnPrivilegeChange() async throws {
        let fixture = try Fixture()
        let (anonymous, _) = try await request(fixture) { $0.put("cart", 3) }
        let (signedIn, headers) = try await request(fixture, cookie: "swift_session=\(anonymous.id.rawValue)") { session in
            session.regenerate()
            session.put("user", "ada")
        }
        #expect(signedIn.id != anonymous.id)
        #expect(cookieID(headers.value("Set-Cookie")) == signedIn.id.rawValue)
        #expect(try await fixture.manager.load(id: anonymous.id.rawValue) == nil, "the pre-login ID still opens the session")
        let later = try #require(try await fixture.manager.load(id: signedIn.id.rawValue))
        #expect(later.get("cart") == 3)
    }

    @Test func idleTimeoutIsEnforcedOnTheServer() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(30) }
        let (first, _) = try await request(fixture) { $0.put("user", "ada") }
        fixture.time.advance(by: .seconds(30 * 60 + 1))
        // The browser would have dropped the cookie; a stolen copy still presents it.
        let (replayed, _) = try await request(fixture, cookie: "swift_session=\(first.id.rawValue)")
        #expect(replayed.id != first.id)
        #expect(replayed.get("user", as: String.self) == nil)
    }

    @Test func absoluteTimeoutIsEnforcedOnTheServer() async throws {
        let fixture = try Fixture {
            $0.lifetime = .minutes(30)
            $0.absoluteLifetime = .minutes(60)
        }
        let (first, _) = try await request(fixture) { $0.put("user", "ada") }
        for _ in 0..<3 {
            fixture.time.advance(by: .seconds(20 * 60))
            let (active, _) = try await request(fixture, cookie: "swift_session=\(first.id.rawValue)") { _ = try $0.increment("clicks") }
            if fixture.time.clock.now.timeIntervalSince(first.createdAt) < 3600 { #expect(active.id == first.id) }
        }
        let (late, _) = try await request(fixture, cookie: "swift_session=\(first.id.rawValue)")
        #expect(late.id != first.id, "an active session outlived its absolute lifetime")
        #expect(late.get("user", as: String.self) == nil)
    }

    @Test func signingInRestartsTheAbsoluteLifetime() async throws {
        let fixture = try Fixture {
            $0.lifetime = .minutes(30)
            $0.absoluteLifetime = .minutes(60)
        }
        let (guest, _) = try await request(fixture) { $0.put("cart", 1) }
        fixture.time.advance(by: .seconds(25 * 60))
        _ = try await request(fixture, cookie: "swift_session=\(guest.id.rawValue)") { $0.put("cart", 2) }
        fixture.time.advance(by: .seconds(25 * 60))
        let (signedIn, _) = try await request(fixture, cookie: "swift_session=\(guest.id.rawValue)") { session in
            session.regenerate()
            session.put("user", "ada")
        }
        #expect(signedIn.createdAt == fixture.time.now, "regenerate kept the guest session's creation time")
        // 20 minutes later the guest session would have passed its absolute end; the signed-in one has not.
        fixture.time.advance(by: .seconds(20 * 60))
        let (later, _) = try await request(fixture, cookie: "swift_session=\(signedIn.id.rawValue)")
        #expect(later.id == signedIn.id, "the user was signed out by the guest session's absolute lifetime")
        #expect(later.get("user") == "ada")
        #expect(later.get("cart") == 2)
        fixture.time.advance(by: .seconds(41 * 60))
        let (ended, _) = try await request(fixture, cookie: "swift_session=\(signedIn.id.rawValue)")
        #expect(ended.id != signedIn.id, "the signed-in session outlived an hour from the sign-in")
    }

    @Test func cookieAttributesAreSafeByDefault() async throws {
        let fixture = try Fixture()
        let (_, headers) = try await request(fixture) { $0.put("user", "ada") }
        let cookie = try #require(headers.value("Set-Cookie"))
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Lax"))
        #expect(cookie.contains("; Path=/"))
        #expect(!cookie.contains("Domain="), "a Domain widens the cookie to subdomains")
        #expect(!cookie.contains("; Secure"), "secure is off only until configured")

        let secured = try Fixture {
            $0.secure = true
            $0.cookie = "__Host-session"
        }
        let (_, secureHeaders) = try await request(secured) { $0.put("user", "ada") }
        let secureCookie = try #require(secureHeaders.value("Set-Cookie"))
        #expect(secureCookie.hasPrefix("__Host-session="))
        #expect(secureCookie.contains("; Secure"))
    }

    @Test func prefixedCookieNamesAreHeldToTheirRules() {
        #expect(validationError { $0.cookie = "__Host-session" } != nil, "__Host- without Secure")
        #expect(validationError { $0.cookie = "__Host-session"; $0.secure = true; $0.path = "/app" } != nil, "__Host- with a Path")
        #expect(validationError { $0.cookie = "__Host-session"; $0.secure = true; $0.domain = "example.com" } != nil, "__Host- with a Domain")
        #expect(validationError { $0.cookie = "__Host-session"; $0.secure = true } == nil)
        #expect(validationError { $0.cookie = "__Secure-session" } != nil, "__Secure- without Secure")
        #expect(validationError { $0.cookie = "__Secure-session"; $0.secure = true; $0.path = "/app" } == nil)
    }

    @Test func responsesThatSetTheCookieAreNotCached() async throws {
        let fixture = try Fixture()
        let (_, headers) = try await request(fixture) { $0.put("user", "ada") }
        #expect(headers.value("Set-Cookie") != nil)
        #expect(headers.value("Cache-Control") == "no-store")
        #expect(headers.value("Vary") == "Cookie")
    }

    @Test func logoutDestroysTheSessionOnTheServer() async throws {
        let fixture = try Fixture()
        let (signedIn, _) = try await request(fixture) { $0.put("user", "ada") }
        let (_, headers) = try await request(fixture, cookie: "swift_session=\(signedIn.id.rawValue)") { $0.invalidate() }
        #expect(try await fixture.manager.load(id: signedIn.id.rawValue) == nil)
        // Replaying the old cookie after logout gives an empty session.
        let (replayed, _) = try await request(fixture, cookie: "swift_session=\(signedIn.id.rawValue)")
        #expect(replayed.get("user", as: String.self) == nil)
        #expect(cookieID(headers.value("Set-Cookie")) != signedIn.id.rawValue)
    }

    @Test func noIDInEventsOrErrors() async throws {
        let fixture = try Fixture { $0.tombstoneLifetime = .seconds(30) }
        let (session, _) = try await request(fixture) { $0.put("user", "ada") }
        let id = session.id.rawValue
        _ = try await request(fixture, cookie: "swift_session=\(id)") { $0.regenerate() }
        _ = try await request(fixture, cookie: "swift_session=\(id)")
        _ = try await request(fixture, cookie: "swift_session=\(SessionIdentifier.random().rawValue)")
        _ = try await request(fixture, cookie: "swift_session=not-an-id")
        let texts = fixture.events.all.map { String(describing: $0) }
        #expect(texts.count >= 3, "the flow reported no events to check")
        for text in texts { #expect(!text.contains(id), "an event carries the raw ID: \(text)") }
        let errors: [any Error] = [
            SessionError.payloadTooLarge(size: 1, limit: 0), SessionError.lockTimeout(waited: .seconds(1)),
            SessionError.unavailable(reason: "down"), SessionError.tooManyConflicts(attempts: 64),
        ]
        for error in errors { #expect(!String(describing: error).contains(id)) }
    }
}
