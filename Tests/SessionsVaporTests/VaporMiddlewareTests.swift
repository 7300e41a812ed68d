#if Vapor
import Foundation
import Sessions
import SessionsAdapterTestSupport
import SessionsVapor
import Synchronization
import Testing
import Vapor

/// The Vapor middleware through a live server on 127.0.0.1: the behaviours the Hummingbird
/// tests check, on routes of the tests' own.
@Suite struct VaporMiddlewareTests {
    static func manager(driver: String = "memory", observer: @escaping SessionEventObserver = { _ in }) throws -> SessionManager {
        var config = SessionConfig()
        config.driver = driver
        config[FileSessionDriver.folderSetting] = FileManager.default.temporaryDirectory.appendingPathComponent("vapor-\(UUID())").path
        return try SessionManager(config: config, observer: observer)
    }

    /// A public page, and a CSRF-checked session group: a form, sign-in, a dashboard, sign-out
    /// and a counter.
    static func accountRoutes(_ app: Application, _ sessions: SessionManager) {
        app.get("public") { _ in "public" }
        let web = app.grouped(StartSessionMiddleware(manager: sessions), VerifyCSRFTokenMiddleware())
        web.get("form") { req in
            let session = try req.managedSession
            return #"\#(session.get("status", default: "")) <input name="_token" value="\#(session.token)">"#
        }
        web.post("login") { req -> Response in
            let session = try req.managedSession
            session.regenerate()
            session.put("user", try req.content.get(String.self, at: "username"))
            session.flash("status", "Welcome")
            return req.redirect(to: "/dashboard", redirectType: .normal)
        }
        web.get("dashboard") { req in
            let session = try req.managedSession
            return "\(session.get("user", default: "nobody")) \(session.get("status", default: "-"))"
        }
        web.post("logout") { req -> Response in
            let session = try req.managedSession
            session.invalidate()
            session.flash("status", "Signed out")
            return req.redirect(to: "/form", redirectType: .normal)
        }
        web.get("counter") { req in "\(try req.managedSession.increment("count"))" }
        web.post("counter") { req in "\(try req.managedSession.increment("count"))" }
    }

    static func signIn(_ browser: VaporBrowser, as name: String = "ada") async throws -> ClientResponse {
        let token = try #require(try await browser.send(.GET, "/form").csrfToken)
        return try await browser.send(.POST, "/login", form: [("_token", token), ("username", name)])
    }

    @Test func onlySessionRoutesSendACookieAndItIsHttpOnly() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { Self.accountRoutes($0, sessions) }) { browser in
            let open = try await browser.send(.GET, "/public")
            #expect(open.text == "public")
            #expect(open.setCookies.isEmpty && open.headers[.vary].isEmpty, "a route outside the group started a session")
            let form = try await browser.send(.GET, "/form")
            let cookie = try #require(form.setCookies.first)
            #expect(form.setCookies.count == 1)
            #expect(cookie.hasPrefix("swift_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "\(cookie)")
            #expect(form.headers[.vary] == ["Cookie"] && form.headers[.cacheControl] == ["no-store"])
            // The browser's cookie is still right: none goes out again.
            #expect(try await browser.send(.GET, "/form").setCookies.isEmpty)
            // Vapor's own sessions are untouched: no vapor-session cookie anywhere.
            #expect(!cookie.contains("vapor-session"))
        }
    }

    @Test func signInRegeneratesFlashShowsOnceAndLogoutInvalidates() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { Self.accountRoutes($0, sessions) }) { browser in
            _ = try await browser.send(.GET, "/form")
            let anonymous = try #require(browser.cookies["swift_session"])
            let login = try await Self.signIn(browser)
            #expect(login.status == .seeOther && login.headers[.location] == ["/dashboard"])
            let signedIn = try #require(browser.cookies["swift_session"])
            #expect(signedIn != anonymous, "sign-in kept the anonymous ID")
            #expect(try await browser.send(.GET, "/dashboard").text == "ada Welcome")
            #expect(try await browser.send(.GET, "/dashboard").text == "ada -", "the flash outlived the page that showed it")

            // The pre-login cookie is dead: it starts a fresh session.
            let stale = browser.newBrowser()
            stale.cookies["swift_session"] = anonymous
            #expect(try await stale.send(.GET, "/dashboard").text == "nobody -")

            let token = try #require(try await browser.send(.GET, "/form").csrfToken)
            let logout = try await browser.send(.POST, "/logout", form: [("_token", token)])
            #expect(logout.status == .seeOther)
            #expect(browser.cookies["swift_session"] != signedIn)
            #expect(try await browser.send(.GET, "/form").text.hasPrefix("Signed out "))
            let replay = browser.newBrowser()
            replay.cookies["swift_session"] = signedIn
            #expect(try await replay.send(.GET, "/dashboard").text == "nobody -", "the signed-in ID still works after logout")
        }
    }

    @Test(arguments: ["forged-but-well-formed-id-000000", String(repeating: "a", count: 1000), "../../etc/passwd", "%00%0d%0a"])
    func aForgedOrMalformedCookieGetsAFreshSession(cookie: String) async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { Self.accountRoutes($0, sessions) }) { browser in
            let response = try await VaporBrowser.send(browser.app, port: browser.port, .GET, "/counter", headers: ["Cookie": "swift_session=\(cookie)"])
            #expect(response.status == .ok && response.text == "1")
            let fresh = try #require(response.setCookies.first { $0.hasPrefix("swift_session=") && !$0.contains("Max-Age=0") })
            #expect(!fresh.contains(cookie), "the forged ID was adopted")
        }
    }

    @Test func aRequestWithoutTheTokenGets419AndChangesNothing() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { Self.accountRoutes($0, sessions) }) { browser in
            _ = try await Self.signIn(browser)
            let before = try #require(browser.cookies["swift_session"])
            let forged = try await browser.send(.POST, "/logout", form: [("_token", "wrong")])
            #expect(forged.status.code == 419 && forged.setCookies.isEmpty)
            let bare = try await browser.send(.POST, "/counter")
            #expect(bare.status.code == 419)
            #expect(browser.cookies["swift_session"] == before)
            // Nothing changed: the flash is still there, the counter was not counted.
            #expect(try await browser.send(.GET, "/dashboard").text == "ada Welcome")
            #expect(try await browser.send(.GET, "/counter").text == "1")

            // The token passes in the header and in a multipart upload form.
            let token = try #require(try await browser.send(.GET, "/form").csrfToken)
            #expect(try await browser.send(.POST, "/counter", headers: ["X-CSRF-Token": token]).text == "2")
            let boundary = "XyZ"
            let multipart = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\n\(token)\r\n--\(boundary)--\r\n"
            let upload = try await browser.send(
                .POST, "/counter", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(string: multipart))
            #expect(upload.text == "3")
        }
    }

    @Test func aFormLargerThanTheLimitGets413() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { app in
            app.grouped(StartSessionMiddleware(manager: sessions), VerifyCSRFTokenMiddleware(maximumBodySize: 1024))
                .on(.POST, "upload", body: .stream) { req in "\(try req.managedSession.increment("count"))" }
        }) { browser in
            let big = try await browser.send(.POST, "/upload", form: [("_token", "x"), ("blob", String(repeating: "a", count: 4096))])
            #expect(big.status == .payloadTooLarge && big.setCookies.isEmpty, "\(big.status)")
        }
    }

    @Test func anUnreachableStoreGets503AndABrokenOne500WithoutACookie() async throws {
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in lines }
        var config = SessionConfig()
        config.driver = "down"
        let sessions = try SessionManager(config: config, observer: SessionLogging.observer(logger: logger))
        sessions.extend("down") { _ in FailingDriver.unreachable }
        sessions.extend("broken") { _ in FailingDriver.broken }
        let id = SessionIdentifier.random().rawValue
        try await withVaporApp(logger: logger, { app in
            app.grouped("down").grouped(StartSessionMiddleware(manager: sessions)).get("me") { _ in "unreachable" }
            app.grouped("broken").grouped(StartSessionMiddleware(manager: sessions, driver: "broken"))
                .get("new") { req in try req.managedSession.put("x", 1); return "stored?" }
        }) { browser in
            let down = try await browser.send(.GET, "/down/me", headers: ["Cookie": "swift_session=\(id)"])
            #expect(down.status == .serviceUnavailable && down.headers[.retryAfter] == ["5"] && down.setCookies.isEmpty)
            let broken = try await browser.send(.GET, "/broken/new")
            #expect(broken.status == .internalServerError && broken.setCookies.isEmpty && broken.headers[.retryAfter].isEmpty)
        }
        let logged = lines.all
        #expect(logged.contains { $0.hasPrefix("warning could not load the session") }, "\(logged)")
        #expect(logged.contains { $0.hasPrefix("error could not save the session") }, "\(logged)")
        // Vapor's own trace line of each request head lists its headers, the cookie among them.
        let ours = logged.filter { !$0.hasPrefix("trace Decoded HTTP part: head:") }
        #expect(!ours.contains { $0.contains(id) }, "a log line carried the raw session ID: \(ours.filter { $0.contains(id) })")
    }

    @Test func abortsBelow500SaveTheSessionAndOthersDoNot() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { app in
            let group = app.grouped(StartSessionMiddleware(manager: sessions))
            group.get("missing") { req -> String in
                try req.managedSession.put("seen", true)
                throw Abort(.notFound, reason: "no such page")
            }
            group.get("crash") { req -> String in
                try req.managedSession.put("crashed", true)
                throw Abort(.serviceUnavailable)
            }
            group.get("read") { req in "\(try req.managedSession.has("seen")) \(try req.managedSession.has("crashed"))" }
        }) { browser in
            let missing = try await browser.send(.GET, "/missing")
            #expect(missing.status == .notFound && missing.setCookies.count == 1)
            #expect(missing.text.contains("no such page"), "the 404 lost Vapor's error body: \(missing.text)")
            let crash = try await browser.send(.GET, "/crash")
            #expect(crash.status == .serviceUnavailable && crash.setCookies.isEmpty)
            #expect(try await browser.send(.GET, "/read").text == "true false")
        }
    }

    @Test(arguments: ["memory", "file"])
    func twoHundredConcurrentIncrementsOnOneCookieCountTwoHundred(driver: String) async throws {
        let sessions = try Self.manager(driver: driver)
        try await withVaporApp(manager: sessions, { Self.accountRoutes($0, sessions) }) { browser in
            #expect(try await browser.send(.GET, "/counter").text == "1")
            let cookie = try #require(browser.cookies["swift_session"])
            let (app, port) = (browser.app, browser.port)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        for _ in 0..<10 {
                            let response = try await VaporBrowser.send(app, port: port, .GET, "/counter", headers: ["Cookie": "swift_session=\(cookie)"])
                            #expect(response.status == .ok)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await browser.send(.GET, "/counter").text == "202", "concurrent increments were lost")
        }
    }

    @Test func apiRoutesLeaveFlashAndBlockingRoutesAnswer503WhenTheirTurnDoesNotCome() async throws {
        let sessions = try Self.manager()
        let turnedAway = Mutex(false)
        try await withVaporApp(manager: sessions, { app in
            let pages = app.grouped(StartSessionMiddleware(manager: sessions))
            pages.get("flash") { req in try req.managedSession.flash("status", "Saved"); return "flashed" }
            pages.get("page") { req in try req.managedSession.get("status", default: "none") }
            app.grouped("api").grouped(StartSessionMiddleware(manager: sessions, ageFlashData: false))
                .get("ping") { req in try req.managedSession.get("status", default: "none") }
            app.grouped("slow").grouped(StartSessionMiddleware(manager: sessions, blocking: .init(lease: .seconds(5), wait: .milliseconds(100))))
                .get("work") { _ in
                    for _ in 0..<500 where !turnedAway.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                    return "done"
                }
        }) { browser in
            _ = try await browser.send(.GET, "/flash")
            for _ in 0..<3 { #expect(try await browser.send(.GET, "/api/ping").text == "Saved") }
            #expect(try await browser.send(.GET, "/page").text == "Saved")
            #expect(try await browser.send(.GET, "/page").text == "none")

            let cookie = try #require(browser.cookies["swift_session"])
            let (app, port) = (browser.app, browser.port)
            let statuses = try await withThrowingTaskGroup(of: ClientResponse.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await VaporBrowser.send(app, port: port, .GET, "/slow/work", headers: ["Cookie": "swift_session=\(cookie)"]) }
                }
                var statuses: [UInt] = []
                for try await response in group {
                    statuses.append(response.status.code)
                    if response.status == .serviceUnavailable {
                        #expect(response.headers[.retryAfter] == ["1"])
                        turnedAway.withLock { $0 = true }
                    }
                }
                return statuses.sorted()
            }
            #expect(statuses == [200, 503])
        }
    }

    @Test func aCookieNeverGoesOutInAResponseASharedCacheMayStore() async throws {
        let sessions = try Self.manager()
        try await withVaporApp(manager: sessions, { app in
            let group = app.grouped(StartSessionMiddleware(manager: sessions))
            for (path, policy) in [("public", "public, max-age=3600"), ("private", "private, max-age=60")] {
                group.get(PathComponent(stringLiteral: path)) { req -> Response in
                    try req.managedSession.put("visited", path)
                    return Response(status: .ok, headers: ["Cache-Control": policy], body: .init(string: "ok"))
                }
            }
        }) { browser in
            let shared = try await browser.send(.GET, "/public")
            #expect(shared.setCookies.count == 1 && shared.headers[.cacheControl] == ["private, no-store"])
            let kept = try await browser.newBrowser().send(.GET, "/private")
            #expect(kept.setCookies.count == 1 && kept.headers[.cacheControl] == ["private, max-age=60"])
        }
    }

    /// Vapor runs an `AsyncMiddleware` on the global concurrency pool and the response back on
    /// the event loop, which cost more server CPU than the whole session on the memory driver;
    /// ours stay on the request's event loop, where Vapor runs a synchronous route, through
    /// every await (the CSRF check reads the body, the file driver's calls run on a thread pool).
    @Test(arguments: ["memory", "file"])
    func theMiddlewaresRunTheRouteOnTheRequestsEventLoop(driver: String) async throws {
        let sessions = try Self.manager(driver: driver)
        try await withVaporApp(manager: sessions, { app in
            let group = app.grouped(
                StartSessionMiddleware(manager: sessions), VerifyCSRFTokenMiddleware(),
                try MapSessionToHeaderMiddleware(["X-Count": "count"]))
            group.get("loop") { req in
                let session = try req.managedSession
                return #"\#(req.eventLoop.inEventLoop) \#(try session.increment("count")) <input name="_token" value="\#(session.token)">"#
            }
            group.post("loop") { req in "\(req.eventLoop.inEventLoop) \(req.headers.first(name: "X-Count") ?? "-")" }
        }) { browser in
            #expect(try await browser.send(.GET, "/loop").text.hasPrefix("true 1 "))
            let page = try await browser.send(.GET, "/loop")
            #expect(page.text.hasPrefix("true 2 "))
            let posted = try await browser.send(.POST, "/loop", form: [("_token", try #require(page.csrfToken))])
            #expect(posted.text == "true 2", "the route after the body was read ran off the event loop (\(posted.status))")
        }
    }
}

extension VaporBrowser {
    /// Sends a request with a raw body.
    func send(_ method: HTTPMethod, _ path: String, headers extra: HTTPHeaders, body: ByteBuffer) async throws -> ClientResponse {
        var headers = extra
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        return try await Self.send(app, port: port, method, path, headers: headers, body: body)
    }
}
#endif
