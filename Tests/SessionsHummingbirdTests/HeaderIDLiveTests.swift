#if Hummingbird
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Sessions
import SessionsHummingbird
import Testing

/// Session IDs in request headers (the `lookup` setting), through a live server.
extension MiddlewareTests {
    static let idHeader = HTTPField.Name("X-Session-Id")!

    /// Routes `/<prefix>/login` (POST, CSRF-checked: puts the user and regenerates),
    /// `/<prefix>/me` (the user or "stranger") and `/<prefix>/count` (GET, increments) behind `middleware`.
    func addAccountRoutes(_ router: Router<TestContext>, _ prefix: String, _ middleware: StartSessionMiddleware<TestContext>) {
        let group = router.group(RouterPath(prefix)).add(middleware: middleware).add(middleware: VerifyCSRFTokenMiddleware<TestContext>())
        group.post("login") { request, context in
            let session = try context.session
            session.put("user", request.uri.queryParameters["name"].map(String.init) ?? "ada")
            session.regenerate()
            return "signed in"
        }
        group.get("me") { _, context in try context.session.get("user", default: "stranger") }
        group.get("count") { _, context in "\(try context.session.increment("count"))" }
    }

    @Test func anAPIClientCarriesItsSessionInAHeaderAndGetsItsNewIDBackThere() async throws {
        let manager = try memoryManager()
        let middleware = try StartSessionMiddleware<TestContext>(manager: manager, lookup: [.header("X-Session-Id")], ageFlashData: false)
        try await withApp(manager: manager, { router in addAccountRoutes(router, "api", middleware) }) { client in
            // No ID yet, no CSRF token: a header client is not exposed to CSRF.
            let login = try await client.send(.post, "/api/login")
            #expect(login.status == .ok, "the login of a header client was refused: \(login.status)")
            #expect(login.setCookies.isEmpty, "a header client got a cookie: \(login.setCookies)")
            let id = try #require(login.headers[Self.idHeader], "no X-Session-Id in the answer")
            #expect(login.headers[.vary] == "X-Session-Id")
            #expect(login.headers[.cacheControl] == "no-store")

            let me = try await client.send(.get, "/api/me", headers: [Self.idHeader: id])
            #expect(me.text == "ada")
            #expect(me.headers[Self.idHeader] == nil, "an unchanged ID was sent again")
            #expect(client.cookies.isEmpty)

            // A second login rotates the ID; the old one is dead.
            let again = try await client.send(.post, "/api/login?name=grace", headers: [Self.idHeader: id])
            let rotated = try #require(again.headers[Self.idHeader])
            #expect(rotated != id)
            #expect(try await client.send(.get, "/api/me", headers: [Self.idHeader: rotated]).text == "grace")
            #expect(try await client.send(.get, "/api/me", headers: [Self.idHeader: id]).text == "stranger")

            // A forged ID is never adopted: the client gets a session of its own instead.
            let forged = SessionIdentifier.random().rawValue
            let counted = try await client.send(.get, "/api/count", headers: [Self.idHeader: forged])
            #expect(counted.text == "1")
            let fresh = try #require(counted.headers[Self.idHeader])
            #expect(fresh != forged)
            #expect(try await manager.load(id: forged) == nil, "the forged ID was stored")
        }
    }

    @Test func onACookieAndHeaderRouteEachSessionAnswersInItsOwnSourceAndCookiesStayCSRFChecked() async throws {
        let manager = try memoryManager()
        let middleware = try StartSessionMiddleware<TestContext>(manager: manager, lookup: [.cookie, .header("X-Session-Id")])
        try await withApp(manager: manager, { router in addAccountRoutes(router, "both", middleware) }) { client in
            // A browser: its cookie session is CSRF-checked on the same route.
            let browser = client.newBrowser()
            #expect(try await browser.send(.get, "/both/count").text == "1")
            #expect(try await browser.send(.post, "/both/login").status.code == 419, "a cookie session's POST without a token passed")

            // An API client's header session beside it: no token needed, no cookie sent.
            let api = try await client.newBrowser().send(.get, "/both/count", headers: [Self.idHeader: SessionIdentifier.random().rawValue])
            #expect(api.setCookies.isEmpty)
            let apiID = try #require(api.headers[Self.idHeader])
            #expect(api.headers[.vary] == "Cookie, X-Session-Id")
            let login = try await client.newBrowser().send(.post, "/both/login?name=api", headers: [Self.idHeader: apiID])
            #expect(login.status == .ok)
            let apiSession = try #require(login.headers[Self.idHeader])

            // A header ID plus a different cookie ID: the cookie comes first in this lookup, its
            // session answers by cookie, the header's is neither read nor changed.
            let count = try await browser.send(.get, "/both/count", headers: [Self.idHeader: apiSession])
            #expect(count.text == "2", "the browser's counter was not the one counted")
            #expect(count.headers[Self.idHeader] == nil, "a cookie session's ID was echoed in a header")
            let apiCount: Int? = try await manager.load(id: apiSession)?.get("count")
            #expect(apiCount == 1, "the header's session was changed")
            #expect(try await client.newBrowser().send(.get, "/both/me", headers: [Self.idHeader: apiSession]).text == "api")
        }
    }

    @Test func anIDInAHeaderOnACookieOnlyRouteIsIgnored() async throws {
        let manager = try memoryManager()
        try await withApp(manager: manager, { router in
            addAccountRoutes(router, "web", StartSessionMiddleware(manager: manager))
        }) { client in
            let browser = client.newBrowser()
            #expect(try await browser.send(.get, "/web/count").text == "1")
            let id = try #require(browser.cookies["swift_session"])
            let viaHeader = try await client.newBrowser().send(.get, "/web/count", headers: [Self.idHeader: id])
            #expect(viaHeader.text == "1", "a header ID was adopted on a cookie-only route")
            #expect(viaHeader.headers[Self.idHeader] == nil)
            #expect(viaHeader.setCookies.count == 1, "the fresh session's ID goes out in a cookie")
            #expect(viaHeader.headers[.vary] == "Cookie")
        }
    }
}
#endif
