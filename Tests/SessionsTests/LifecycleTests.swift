import Foundation
import Testing

@testable import Sessions

/// The cookie lifecycle through its framework-neutral headers-in / headers-out API.
@Suite struct LifecycleTests {
    /// Runs one request: start from `cookie`, let `handler` act, finish with `status`.
    func request(
        _ fixture: Fixture,
        cookie: String? = nil,
        status: Int = 200,
        cacheControl: String? = nil,
        _ handler: (Session) throws -> Void = { _ in }
    ) async throws -> (session: Session, headers: SessionResponse) {
        let started = try await fixture.lifecycle.start(cookieHeaders: cookie.map { [$0] } ?? [])
        try handler(started.session)
        let headers = try await fixture.lifecycle.finish(started, status: status, responseCacheControl: cacheControl)
        return (started.session, headers)
    }

    @Test func startReadsCookieFieldsWhateverTheirCaseAndSkipsTheRest() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["user": "ada"])
        let fields = [
            HeaderField(name: "Accept", value: "swift_session=\(SessionIdentifier.random().rawValue)"),
            HeaderField(name: "cookie", value: "theme=dark"),
            HeaderField(name: "COOKIE", value: "swift_session=\(id.rawValue)"),
        ]
        let started = try await fixture.lifecycle.start(headers: fields)
        #expect(started.session.id == id, "the session cookie in a lower- or upper-case Cookie field was missed")
        #expect(started.session.get("user") == "ada")
    }

    @Test func severalSessionCookiesPreferALiveOneAndClearNone() async throws {
        let fixture = try Fixture()
        let live = try await fixture.storedSession(["user": "ada"])
        let unknown = SessionIdentifier.random()
        let started = try await fixture.lifecycle.start(cookieHeaders: ["swift_session=\(unknown.rawValue); swift_session=junk", "swift_session=\(live.rawValue)"])
        #expect(started.session.id == live, "a tossed cookie ahead of the live one won")
        #expect(fixture.events.all.contains(.severalSessionCookies(count: 3)))
        _ = try await fixture.lifecycle.finish(started, status: 200)

        let strangers = try await fixture.lifecycle.start(cookieHeaders: ["swift_session=\(SessionIdentifier.random().rawValue); swift_session=\(unknown.rawValue)"])
        let answer = try await fixture.lifecycle.finish(strangers, status: 200)
        #expect(answer.setCookie == nil, "a clearing cookie would delete every cookie of the name, the victim's too")
        #expect(answer.reason == .notStored)
    }

    @Test func aFloodOfBadSessionCookiesReportsOnceAndHidesNoLiveOne() async throws {
        let fixture = try Fixture()
        let live = try await fixture.storedSession(["user": "ada"])
        let flood = Array(repeating: "swift_session=forged", count: 500).joined(separator: "; ")
        let started = try await fixture.lifecycle.start(cookieHeaders: [flood + "; swift_session=\(live.rawValue)"])
        #expect(started.session.id == live)
        let rejections = fixture.events.all.filter { if case .rejectedID = $0 { true } else { false } }
        #expect(rejections.count == 1, "\(rejections.count) rejection events for one request")
    }

    @Test func theResponseSaysWhyACookieWentOutOrDidNot() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(30) }
        func finish(_ cookie: String?, status: Int = 200, _ handler: (Session) -> Void = { _ in }) async throws -> (Session, SessionResponse) {
            let started = try await fixture.lifecycle.start(cookieHeaders: cookie.map { [$0] } ?? [])
            handler(started.session)
            return (started.session, try await fixture.lifecycle.finish(started, status: status))
        }
        #expect(try await finish(nil).1.reason == .notStored)
        let (session, first) = try await finish(nil) { $0.put("a", 1) }
        #expect(first.reason == .newID)
        #expect(first.fields.map(\.name) == ["Vary", "Set-Cookie", "Cache-Control"])
        let cookie = "swift_session=\(session.id.rawValue)"
        let unchanged = try await finish(cookie).1
        #expect(unchanged.reason == .unchanged && unchanged.setCookie == nil)
        #expect(unchanged.fields == [HeaderField(name: "Vary", value: "Cookie")])
        fixture.time.advance(by: .minutes(4))
        #expect(try await finish(cookie).1.reason == .renewed)
        #expect(try await finish(cookie, status: 503) { $0.put("b", 2) }.1.reason == .notSaved)
        let (_, rotated) = try await finish(cookie) { $0.regenerate() }
        #expect(rotated.reason == .newID)
        let cleared = try await finish("swift_session=\(SessionIdentifier.random().rawValue)").1
        #expect(cleared.reason == .cleared)
        #expect(cleared.setCookie?.contains("Max-Age=0") == true)
    }

    @Test func newSessionThatNobodyWroteIsNotStoredAndGetsNoCookie() async throws {
        let fixture = try Fixture()
        let (_, headers) = try await request(fixture)
        #expect(headers.value("Set-Cookie") == nil)
        #expect(headers.value("Cache-Control") == nil)
        #expect(headers.value("Vary") == "Cookie")
        #expect(fixture.probe.calls("write") == 0)
    }

    @Test func writtenSessionSendsTheConfiguredCookie() async throws {
        let fixture = try Fixture {
            $0.cookie = "app_session"
            $0.path = "/app"
            $0.domain = "example.com"
            $0.secure = true
            $0.sameSite = .strict
            $0.partitioned = true
            $0.lifetime = .minutes(120)
        }
        let (session, headers) = try await request(fixture) { $0.put("foo", "bar") }
        let expires = CookieDate.format(secondsSince1970: Int64(fixture.time.now.timeIntervalSince1970) + 7200)
        #expect(headers.value("Set-Cookie") == "app_session=\(session.id.rawValue); Max-Age=7200; Expires=\(expires); Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Strict; Partitioned")
        #expect(headers.value("Cache-Control") == "no-store")
    }

    @Test func defaultCookieAttributes() async throws {
        let fixture = try Fixture()
        let (_, headers) = try await request(fixture) { $0.put("foo", "bar") }
        let cookie = try #require(headers.value("Set-Cookie"))
        #expect(cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Lax"))
        #expect(!cookie.contains("Secure") && !cookie.contains("Domain"))
    }

    @Test func expireOnCloseSendsNeitherMaxAgeNorExpires() async throws {
        let fixture = try Fixture { $0.expireOnClose = true }
        let (session, headers) = try await request(fixture) { $0.put("foo", "bar") }
        #expect(headers.value("Set-Cookie") == "swift_session=\(session.id.rawValue); Path=/; HttpOnly; SameSite=Lax")
    }

    @Test func returningSessionIsReadAndNotRewrittenOrRecookied() async throws {
        let fixture = try Fixture()
        let first = try await request(fixture) { $0.put("foo", "bar") }
        let cookie = "swift_session=\(first.session.id.rawValue)"
        let writes = fixture.probe.calls("write")
        let second = try await request(fixture, cookie: "other=1; \(cookie); theme=dark") { session in
            #expect(session.get("foo") == "bar")
        }
        #expect(second.session.id == first.session.id)
        #expect(second.headers.value("Set-Cookie") == nil)
        #expect(fixture.probe.calls("write") == writes)
        #expect(fixture.probe.calls("touch") == 0)
    }

    @Test func changedSessionIsWrittenWithoutACookieUntilRefreshIsDue() async throws {
        let fixture = try Fixture { $0.touchInterval = .seconds(600) }
        let first = try await request(fixture) { $0.put("count", 1) }
        let cookie = "swift_session=\(first.session.id.rawValue)"
        fixture.time.advance(by: .seconds(60))
        let second = try await request(fixture, cookie: cookie) { _ = try $0.increment("count") }
        #expect(second.headers.value("Set-Cookie") == nil)
        fixture.time.advance(by: .seconds(600))
        let third = try await request(fixture, cookie: cookie) { _ = try $0.increment("count") }
        #expect(cookieID(third.headers.value("Set-Cookie")) == first.session.id.rawValue, "the sliding cookie was not refreshed")
        fixture.time.advance(by: .seconds(60))
        let fourth = try await request(fixture, cookie: cookie) { _ = try $0.increment("count") }
        #expect(fourth.headers.value("Set-Cookie") == nil, "the cookie was refreshed again too soon")
    }

    @Test func readOnlySessionIsTouchedAtMostOncePerInterval() async throws {
        let fixture = try Fixture {
            $0.touchInterval = .seconds(300)
            $0.expireOnClose = true
        }
        let first = try await request(fixture) { $0.put("user", "ada") }
        let cookie = "swift_session=\(first.session.id.rawValue)"
        for _ in 0..<10 {
            fixture.time.advance(by: .seconds(100))
            let response = try await request(fixture, cookie: cookie) { #expect($0.get("user") == "ada") }
            #expect(response.headers.value("Set-Cookie") == nil)
        }
        #expect(fixture.probe.calls("touch") == 3, "touch is not throttled to once per interval")
        #expect(fixture.probe.calls("write") == 1)
        // Throttling costs at most one interval of the idle window: the last touch was at 900 s.
        fixture.time.advance(by: .seconds(Int64(fixture.manager.config.lifetime.components.seconds - 400)))
        _ = try await request(fixture, cookie: cookie) { #expect($0.get("user") == "ada", "a signed-in reader expired despite touches") }
    }

    @Test func readerStaysSignedInWithRefreshedCookies() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(10) }
        let first = try await request(fixture) { $0.put("user", "ada") }
        let cookie = "swift_session=\(first.session.id.rawValue)"
        var refreshed = 0
        for _ in 0..<30 {
            fixture.time.advance(by: .seconds(20))
            let response = try await request(fixture, cookie: cookie) { #expect($0.get("user") == "ada") }
            if response.headers.value("Set-Cookie") != nil { refreshed += 1 }
        }
        #expect(refreshed > 0 && refreshed < 30, "cookie refreshed \(refreshed) times in 30 requests")
    }

    @Test func unknownIDIsReplacedNeverAdoptedAndItsCookieCleared() async throws {
        let fixture = try Fixture()
        let forged = SessionIdentifier.random()
        let quiet = try await request(fixture, cookie: "swift_session=\(forged.rawValue)")
        #expect(quiet.session.id != forged)
        #expect(quiet.headers.value("Set-Cookie")?.hasPrefix("swift_session=; Max-Age=0") == true)
        let written = try await request(fixture, cookie: "swift_session=\(forged.rawValue)") { $0.put("a", 1) }
        #expect(cookieID(written.headers.value("Set-Cookie")) == written.session.id.rawValue)
        #expect(written.session.id != forged)
        #expect(try await fixture.memory.read(forged) == nil)
    }

    @Test(arguments: [
        "swift_session", "swift_session=", "swift_session=../../etc/passwd", ";;;=;", "swift_session=\"\"",
        "swift_session=\(String(repeating: "A", count: 8000))", "=swift_session", "swift_session==a==",
        "\u{0}\u{1}swift_session=\u{7f}", "swift_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u{e9}",
    ])
    func malformedCookiesGiveAFreshSession(cookie: String) async throws {
        let fixture = try Fixture()
        let (session, _) = try await request(fixture, cookie: cookie) { $0.put("x", 1) }
        #expect(session.isStored)
        #expect(fixture.probe.calls("read") == 0, "an invalid ID reached the driver")
    }

    @Test func quotedCookieValueAndSeveralHeadersAreUnderstood() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["user": "ada"])
        let started = try await fixture.lifecycle.start(cookieHeaders: ["theme=dark", "swift_session=\"\(id.rawValue)\""])
        #expect(started.session.id == id)
    }

    @Test func serverErrorSavesNothingAndSendsNoCookie() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["user": "ada"])
        let (_, headers) = try await request(fixture, cookie: "swift_session=\(id.rawValue)", status: 500) { session in
            session.put("user", "mallory")
            session.regenerate()
        }
        #expect(headers.value("Set-Cookie") == nil)
        let after = try #require(try await fixture.manager.load(id: id.rawValue))
        #expect(after.get("user") == "ada")
    }

    @Test func discardedRequestChangesNothingFlashIncluded() async throws {
        let fixture = try Fixture()
        let first = try await request(fixture) { $0.flash("status", "Welcome") }
        let cookie = "swift_session=\(first.session.id.rawValue)"
        let writes = fixture.probe.calls("write")
        let (_, headers) = try await request(fixture, cookie: cookie) { session in
            session.put("evil", true)
            session.discard()
        }
        #expect(headers.value("Set-Cookie") == nil)
        #expect(fixture.probe.calls("write") == writes)
        _ = try await request(fixture, cookie: cookie) { next in
            #expect(next.get("status") == "Welcome", "a discarded request aged the flash")
            #expect(next.get("evil", as: Bool.self) == nil)
        }
    }

    @Test func regenerateSendsTheNewIDAndTheOldOneStopsWorking() async throws {
        let fixture = try Fixture()
        let first = try await request(fixture) { $0.put("cart", 3) }
        let oldCookie = "swift_session=\(first.session.id.rawValue)"
        let login = try await request(fixture, cookie: oldCookie) { session in
            session.regenerate()
            session.put("user", "ada")
        }
        let newID = try #require(cookieID(login.headers.value("Set-Cookie")))
        #expect(newID != first.session.id.rawValue)
        #expect(login.headers.value("Cache-Control") == "no-store")
        let replay = try await request(fixture, cookie: oldCookie)
        #expect(replay.session.get("user", as: String.self) == nil, "the old cookie still signs in")
        let fresh = try await request(fixture, cookie: "swift_session=\(newID)")
        #expect(fresh.session.get("user") == "ada")
        #expect(fresh.session.get("cart") == 3)
    }

    @Test func invalidateClearsTheCookieWhenNothingIsLeft() async throws {
        let fixture = try Fixture()
        let first = try await request(fixture) { $0.put("user", "ada") }
        let (_, headers) = try await request(fixture, cookie: "swift_session=\(first.session.id.rawValue)") { $0.invalidate() }
        #expect(headers.value("Set-Cookie") == "swift_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax")
        #expect(headers.value("Cache-Control") == "no-store")
        #expect(try await fixture.manager.load(id: first.session.id.rawValue) == nil)
    }

    @Test func anAppPolicyThatKeepsSharedCachesOutIsKept() async throws {
        let fixture = try Fixture()
        for policy in ["private, max-age=60", "no-store", "Private", "public, no-store"] {
            let (_, headers) = try await request(fixture, cacheControl: policy) { $0.put("a", 1) }
            #expect(headers.value("Set-Cookie") != nil)
            #expect(headers.value("Cache-Control") == nil, "\(policy) was replaced")
        }
        #expect(!fixture.events.all.contains { if case .cacheControlOverridden = $0 { true } else { false } })
    }

    @Test func aSharedCachePolicyIsOverriddenWhenACookieGoesOut() async throws {
        let fixture = try Fixture()
        for policy in ["public, max-age=3600", "max-age=60", "s-maxage=600", "no-cache"] {
            let (_, headers) = try await request(fixture, cacheControl: policy) { $0.put("a", 1) }
            #expect(headers.value("Set-Cookie") != nil)
            #expect(headers.value("Cache-Control") == "private, no-store", "\(policy) let a shared cache store a session cookie")
            #expect(fixture.events.all.contains(.cacheControlOverridden(policy)))
        }
        // No cookie, nothing to protect: the app's policy stands.
        let (stored, _) = try await request(fixture) { $0.put("b", 2) }
        let (_, quiet) = try await request(fixture, cookie: "swift_session=\(stored.id.rawValue)", cacheControl: "public, max-age=3600")
        #expect(quiet.value("Set-Cookie") == nil)
        #expect(quiet.value("Cache-Control") == nil)
    }

    @Test func idleLifetimeExpiresAnAbandonedSession() async throws {
        let fixture = try Fixture { $0.lifetime = .minutes(30) }
        let first = try await request(fixture) { $0.put("user", "ada") }
        fixture.time.advance(by: .seconds(31 * 60))
        let later = try await request(fixture, cookie: "swift_session=\(first.session.id.rawValue)")
        #expect(later.session.get("user", as: String.self) == nil)
        #expect(later.session.id != first.session.id)
    }

    @Test func storeFailureOnSaveThrowsAndReportsNoCookie() async throws {
        let fixture = try Fixture()
        let started = try await fixture.lifecycle.start(cookieHeaders: [])
        started.session.put("a", 1)
        fixture.probe.fail(["write"])
        await #expect(throws: ProbeError.injected("write")) {
            try await fixture.lifecycle.finish(started, status: 200)
        }
    }

    @Test func cookieDatesMatchFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for seconds: Int64 in [0, 784_111_777, 951_782_400, 1_709_164_800, 4_102_444_799, 1_800_000_000, -86_401] {
            #expect(CookieDate.format(secondsSince1970: seconds) == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))))
        }
        #expect(CookieDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func lifecycleDrawsTheGCLottery() async throws {
        let fixture = try Fixture { $0.lottery = .init(chances: 100, outOf: 100) }
        _ = try await request(fixture) { $0.put("a", 1) }
        await fixture.manager.waitForGarbageCollection()
        #expect(fixture.probe.calls("gc") == 1)
    }
}

@Suite struct UnagedFlashTests {
    @Test func finishWithoutAgingLeavesFlashForTheNextPage() async throws {
        let fixture = try Fixture()
        let first = try await fixture.lifecycle.start(cookieHeaders: [])
        first.session.flash("status", "Saved")
        let headers = try await fixture.lifecycle.finish(first, status: 303)
        let cookie = try #require(headers.value("Set-Cookie")).prefix { $0 != ";" }
        for _ in 0..<3 {
            let api = try await fixture.lifecycle.start(cookieHeaders: [String(cookie)])
            #expect(api.session.get("status") == "Saved")
            _ = try await fixture.lifecycle.finish(api, status: 200, agingFlashData: false)
        }
        let page = try await fixture.lifecycle.start(cookieHeaders: [String(cookie)])
        #expect(page.session.get("status") == "Saved")
        _ = try await fixture.lifecycle.finish(page, status: 200)
        let after = try await fixture.lifecycle.start(cookieHeaders: [String(cookie)])
        #expect(after.session.get("status", as: String.self) == nil)
    }
}
