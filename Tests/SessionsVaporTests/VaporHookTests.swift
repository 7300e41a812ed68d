#if Vapor
import Foundation
import Sessions
import SessionsAdapterTestSupport
import SessionsVapor
import SessionsVaporTesting
import Synchronization
import Testing
import Vapor
import VaporTesting

/// What the API-clients issue brought to Hummingbird, on Vapor: IDs in headers, session values as
/// upstream headers, the failure and skip hooks, attached sessions, test helpers; and the
/// manager's boot, gc and shutdown in Vapor's lifecycle.
@Suite struct VaporHookTests {
    @Test func anAPIClientCarriesItsSessionInAHeaderWithoutCSRFAndCookieSessionsStayChecked() async throws {
        let sessions = try VaporMiddlewareTests.manager()
        try await withVaporApp(manager: sessions, { app in
            let api = try StartSessionMiddleware(manager: sessions, lookup: [.header("X-Session-Id"), .cookie], ageFlashData: false)
            let group = app.grouped("api").grouped(api, VerifyCSRFTokenMiddleware())
            group.post("login") { req -> String in
                let session = try req.managedSession
                session.regenerate()
                session.put("user", "ada")
                return "signed in"
            }
            group.get("me") { req in try req.managedSession.get("user", default: "nobody") }
        }) { browser in
            let login = try await browser.send(.POST, "/api/login")
            #expect(login.status == .ok && login.setCookies.isEmpty, "a header client got a cookie or a 419")
            let id = try #require(login.headers.first(name: "X-Session-Id"))
            #expect(login.headers[.vary] == ["X-Session-Id, Cookie"] && login.headers[.cacheControl] == ["no-store"])
            #expect(try await browser.send(.GET, "/api/me", headers: ["X-Session-Id": id]).text == "ada")
            let forged = try await browser.send(.GET, "/api/me", headers: ["X-Session-Id": SessionIdentifier.random().rawValue])
            #expect(forged.text == "nobody")

            // A browser's cookie session on the same route is still CSRF-checked, and unchanged.
            let cookieSession = try await sessions.seedSession(["user": "bob"])
            browser.cookies["swift_session"] = cookieSession.id
            #expect(try await browser.send(.GET, "/api/me").text == "bob")
            #expect(try await browser.send(.POST, "/api/login").status.code == 419)
            #expect(try await browser.send(.GET, "/api/me").text == "bob")
        }
    }

    @Test func sessionValuesReachTheHandlerAsHeadersAndForgedCopiesAreStripped() async throws {
        let events = EventRecorder()
        let sessions = try VaporMiddlewareTests.manager(observer: events.observer)
        let mapping = try MapSessionToHeaderMiddleware(["X-User-Id": "user_id", "X-Note": "note"])
        try await withVaporApp(manager: sessions, { app in
            let group = app.grouped("up").grouped(StartSessionMiddleware(manager: sessions), mapping)
            group.get("login") { req -> String in
                let session = try req.managedSession
                session.put("user_id", 42)
                session.put("note", "fine\r\nX-User-Id: 1")
                return "signed in"
            }
            group.get("echo") { req in
                ["X-User-Id", "X-Note"].flatMap { name in req.headers[name].map { "\(name)=\($0)" } }.joined(separator: "\n")
            }
        }) { browser in
            let forged = HTTPHeaders([("X-User-Id", "1"), ("X-User-Id", "2")])
            #expect(try await browser.send(.GET, "/up/echo", headers: forged).text == "")
            _ = try await browser.send(.GET, "/up/login")
            #expect(try await browser.send(.GET, "/up/echo", headers: forged).text == "X-User-Id=42")
            #expect(events.all.contains(.headerValueRefused(header: "X-Note", key: "note")))
        }
        #expect(throws: MapSessionToHeaderError.invalidHeaderName("X User")) { try MapSessionToHeaderMiddleware(["X User": "user_id"]) }
    }

    @Test func theFailureHandlerShapesTheAnswerAndSkippedRequestsHaveNoSession() async throws {
        var config = SessionConfig()
        config.driver = "down"
        let sessions = try SessionManager(config: config)
        sessions.extend("down") { _ in FailingDriver.unreachable }
        let seen = Mutex<[SessionFailure.Stage]>([])
        let handler: StartSessionMiddleware.FailureHandler = { failure, req in
            seen.withLock { $0.append(failure.stage) }
            let response = Response(status: .init(statusCode: failure.status), body: .init(string: #"{"error":"retry","path":"\#(req.url.path)"}"#))
            response.headers.contentType = .json
            if let seconds = failure.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds)) }
            return response
        }
        try await withVaporApp({ app in
            app.grouped("api").grouped(StartSessionMiddleware(manager: sessions, onFailure: handler)).get("me") { _ in "unreachable" }
            app.grouped("site").grouped(StartSessionMiddleware(manager: sessions, skip: { $0.url.path.hasPrefix("/site/static/") }))
                .get("static", "app.css") { req in req.sessionSlot.session == nil ? "no session" : "a session" }
        }) { browser in
            let load = try await browser.send(.GET, "/api/me", headers: ["Cookie": "swift_session=\(SessionIdentifier.random().rawValue)"])
            #expect(load.status == .serviceUnavailable && load.headers[.retryAfter] == ["5"])
            #expect(load.text == #"{"error":"retry","path":"/api/me"}"#)
            #expect(seen.withLock { $0 } == [.load])
            // The store is down, but a skipped request never reaches it.
            let asset = try await browser.send(.GET, "/site/static/app.css")
            #expect(asset.text == "no session" && asset.setCookies.isEmpty && asset.headers[.vary].isEmpty)
        }
    }

    @Test func aSessionTheAppAttachedIsUsedSavedAndAnsweredForAndANestedMiddlewarePassesThrough() async throws {
        let sessions = try VaporMiddlewareTests.manager()
        let seeded = try await sessions.seedSession(["user": "ada"])
        struct APIKeyMiddleware: AsyncMiddleware {
            let sessions: SessionManager
            let id: String
            func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
                if request.headers.first(name: "X-Api-Key") == "key-ada", let session = try await sessions.load(id: id) {
                    request.sessionSlot.attach(session)
                }
                return try await next.respond(to: request)
            }
        }
        try await withVaporApp(manager: sessions, { app in
            let keyed = app.grouped("keyed").grouped(APIKeyMiddleware(sessions: sessions, id: seeded.id), StartSessionMiddleware(manager: sessions))
            keyed.get("count") { req in
                let session = try req.managedSession
                return "\(session.get("user", default: "stranger")) \(try session.increment("count"))"
            }
            app.grouped("outer").grouped(StartSessionMiddleware(manager: sessions)).grouped(StartSessionMiddleware(manager: sessions))
                .get("count") { req in "\(try req.managedSession.increment("count"))" }
        }) { browser in
            let first = try await browser.newBrowser().send(.GET, "/keyed/count", headers: ["X-Api-Key": "key-ada"])
            #expect(first.text == "ada 1")
            #expect(first.setCookies.allSatisfy { $0.hasPrefix("swift_session=\(seeded.id);") }, "another ID went out: \(first.setCookies)")
            let stored: Int? = try await sessions.load(id: seeded.id)?.get("count")
            #expect(stored == 1, "the attached session was not saved")

            #expect(try await browser.send(.GET, "/outer/count").text == "1")
            let nested = try await browser.send(.GET, "/outer/count")
            #expect(nested.text == "2" && nested.headers[.vary] == ["Cookie"], "the nested middleware ran a second session")
        }
    }

    @Test func theTestHelpersSeedASessionAndReadTheOneAResponseLeft() async throws {
        let app = try await Application.make(.testing)
        let sessions = try VaporMiddlewareTests.manager()
        app.grouped(StartSessionMiddleware(manager: sessions)).get("dashboard") { req -> String in
            let session = try req.managedSession
            session.regenerate()
            return "\(session.get("user_id", default: 0))"
        }
        let seeded = try await sessions.seedSession(["user_id": 42])
        try await app.testing().test(.GET, "dashboard", headers: seeded.headers) { response in
            #expect(response.status == .ok && response.body.string == "42")
            let after = try await sessions.session(leftBy: response, presenting: seeded)
            #expect(after?.get("user_id", as: Int.self) == 42)
            #expect(after?.id.rawValue != seeded.id, "the helper read the old ID, not the regenerated one")
        }
        try await app.asyncShutdown()
    }

    @Test(arguments: [("0.0.0.0", true), ("127.0.0.1", false)])
    func bootOpensTheDriversAndWarnsWhenInsecureCookiesLeaveThisMachine(host: String, warns: Bool) async throws {
        let lines = LogLines()
        let app = try await Application.make(.testing)
        app.logger = Logger(label: "boot") { _ in lines }
        app.http.server.configuration.hostname = host
        let probe = FlakyDriver()
        var config = SessionConfig()
        config.driver = "probe"
        let sessions = try SessionManager(config: config)
        sessions.extend("probe") { _ in probe }
        app.useSessionManager(sessions, every: .milliseconds(10))
        #expect(app.sessionManager === sessions)
        try await app.asyncBoot()
        // gc runs on the schedule until shutdown, which closes the driver.
        while probe.count("gc") < 2 { try await Task.sleep(for: .milliseconds(5)) }
        try await app.asyncShutdown()
        #expect(probe.count("close") == 1)
        let warned = lines.all.contains { $0.hasPrefix("warning") && $0.contains("without Secure") }
        #expect(warned == warns, "\(host): \(lines.all)")
    }

    @Test func aDriverThatCannotOpenOrABadSettingStopsTheAppAtBoot() async throws {
        var config = SessionConfig()
        config.driver = "database"
        let refusing = try SessionManager(config: config)
        refusing.extend("database") { _ in RefusingDriver() }
        let misspelt = try SessionManager(config: SessionConfig.decode(json: Array(#"{"lifetme": 5}"#.utf8)))
        for sessions in [refusing, misspelt] {
            let app = try await Application.make(.testing)
            app.useSessionManager(sessions)
            let error = await #expect(throws: (any Error).self) { try await app.asyncBoot() }
            if sessions === refusing {
                #expect(error as? SessionError == .openFailed(driver: "database", reason: "connection refused"))
            } else {
                #expect((error as? SessionConfigError)?.key == "lifetme")
            }
            try await app.asyncShutdown()
        }
    }
}
#endif
