#if Hummingbird
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import Sessions
import SessionsAdapterTestSupport
import SessionsDemoApp
import SessionsDemoShared
import Testing

/// The demo app through a live server on 127.0.0.1 (HummingbirdTesting's live mode).
@Suite struct DemoTests {
    static func config(_ configure: (inout SessionConfig) -> Void = { _ in }) -> SessionConfig {
        var config = SessionConfig()
        config.driver = "memory"
        config[FileSessionDriver.folderSetting] = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID())").path
        configure(&config)
        return config
    }

    /// The demos the tests run against: the Hummingbird one, and the Vapor one with the Vapor trait.
    enum DemoServer: String, CustomTestStringConvertible {
        case hummingbird, vapor
        var testDescription: String { rawValue }
    }
    #if Vapor
    static let servers: [DemoServer] = [.hummingbird, .vapor]
    #else
    static let servers: [DemoServer] = [.hummingbird]
    #endif

    /// Runs `body` against `server`'s demo on 127.0.0.1 with the sessions of `config`, and a
    /// browser pointed at it.
    func withDemo<Value>(
        _ server: DemoServer = .hummingbird,
        _ config: SessionConfig = Self.config(),
        logger: Logger = Logger(label: "sessions-demo"),
        configure: (SessionManager) -> Void = { _ in },
        _ body: @Sendable (SessionManager, LiveClient) async throws -> Value
    ) async throws -> Value {
        defer { try? FileManager.default.removeItem(atPath: config[FileSessionDriver.folderSetting]) }
        switch server {
        case .hummingbird:
            let demo = try DemoApplication(config: config, logger: logger, configure: configure)
            return try await demo.application.test(.live) { client in
                try await body(demo.sessions, LiveClient(client))
            }
        case .vapor:
            #if Vapor
            return try await withVaporDemo(config: config, logger: logger, configure: configure) { sessions, connection, port in
                try await body(sessions, LiveClient(connection, port: port))
            }
            #else
            throw DemoServerMissing()
            #endif
        }
    }

    struct DemoServerMissing: Error {}

    /// Signs in as `name` and returns the client holding the signed-in cookie.
    static func signIn(_ browser: LiveClient, as name: String = "ada") async throws -> LiveResponse {
        let form = try await browser.send(.get, "/login")
        let token = try #require(form.csrfToken)
        return try await browser.send(.post, "/login", form: [("_token", token), ("username", name), ("password", "secret")])
    }

    /// Sends 200 `GET /counter` with `cookie` over 20 concurrent connections (10 each), spread
    /// over `ports` in turn, and expects every one to answer 200.
    static func countTwoHundredTimes(cookie: String, ports: [Int]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connectionNumber in 0..<20 {
                group.addTask {
                    let connection = TestClient(host: "localhost", port: ports[connectionNumber % ports.count])
                    connection.connect()
                    for _ in 0..<10 {
                        let response = try await connection.get("/counter", headers: [.cookie: "swift_session=\(cookie)"])
                        #expect(response.status == .ok)
                    }
                    try await connection.shutdown()
                }
            }
            try await group.waitForAll()
        }
    }

    @Test(arguments: Self.servers)
    func publicRoutesNeverStartASession(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            let home = try await browser.send(.get, "/")
            #expect(home.status == .ok)
            #expect(home.setCookies.isEmpty)
            let health = try await browser.send(.get, "/health")
            #expect(health.text == "ok")
            #expect(health.setCookies.isEmpty)
            #expect(health.headers[.vary] == nil)
        }
    }

    @Test(arguments: Self.servers)
    func sessionRoutesSendTheConfiguredCookie(server: DemoServer) async throws {
        let config = Self.config {
            $0.cookie = "demo_session"
            $0.path = "/"
            $0.domain = "localhost"
            $0.secure = true
            $0.sameSite = .strict
            $0.lifetime = .seconds(30 * 60)
        }
        try await withDemo(server, config) { _, client in
            let browser = client
            let login = try await browser.send(.get, "/login")
            let cookie = try #require(login.setCookies.first)
            #expect(cookie.hasPrefix("demo_session="))
            #expect(cookie.contains("; Max-Age=1800; Expires="))
            #expect(cookie.hasSuffix("; Path=/; Domain=localhost; Secure; HttpOnly; SameSite=Strict"))
            #expect(login.headers[.cacheControl] == "no-store")
            #expect(login.headers[.vary] == "Cookie")
            let again = try await browser.send(.get, "/login")
            #expect(again.setCookies.isEmpty, "an unchanged session re-sent its cookie")
        }
    }

    @Test(arguments: Self.servers)
    func loginFlashesOnceRegeneratesAndTheOldCookieIsDead(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            let form = try await browser.send(.get, "/login")
            let oldID = try #require(browser.cookies["swift_session"])
            let token = try #require(form.csrfToken)

            let wrong = try await browser.send(.post, "/login", form: [("_token", token), ("username", "ada"), ("password", "nope")])
            #expect(wrong.status == .seeOther)
            #expect(wrong.headers[.location] == "/login")
            #expect(try await browser.send(.get, "/login").text.contains("Invalid credentials"))
            #expect(!(try await browser.send(.get, "/login").text.contains("Invalid credentials")), "the flash showed twice")

            let login = try await browser.send(.post, "/login", form: [("_token", token), ("username", "ada"), ("password", "secret")])
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/dashboard")
            let newID = try #require(browser.cookies["swift_session"])
            #expect(newID != oldID, "login did not regenerate the ID")

            let dashboard = try await browser.send(.get, "/dashboard")
            #expect(dashboard.text.contains("Signed in as ada"))
            #expect(dashboard.text.contains("Welcome, ada!"))
            let reload = try await browser.send(.get, "/dashboard")
            #expect(reload.text.contains("Signed in as ada"))
            #expect(!reload.text.contains("Welcome, ada!"), "the flash showed twice")

            let attacker = client.newBrowser()
            attacker.cookies["swift_session"] = oldID
            let replay = try await attacker.send(.get, "/dashboard")
            #expect(replay.status == .seeOther, "the pre-login cookie still signs in")
            #expect(attacker.cookies["swift_session"] != newID)
        }
    }

    @Test(arguments: Self.servers)
    func logoutInvalidatesTheSession(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            _ = try await Self.signIn(browser)
            let signedInID = try #require(browser.cookies["swift_session"])
            let dashboard = try await browser.send(.get, "/dashboard")
            let token = try #require(dashboard.csrfToken)
            let logout = try await browser.send(.post, "/logout", form: [("_token", token)])
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.location] == "/login")
            #expect(browser.cookies["swift_session"] != signedInID)
            #expect(try await browser.send(.get, "/login").text.contains("Signed out"))

            let thief = client.newBrowser()
            thief.cookies["swift_session"] = signedInID
            let stolen = try await thief.send(.get, "/dashboard")
            #expect(stolen.status == .seeOther, "the logged-out cookie still signs in")
            #expect(try await browser.send(.get, "/dashboard").status == .seeOther)
        }
    }

    @Test(arguments: Self.servers)
    func dashboardRedirectsSignedOutVisitorsWithAFlash(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            let dashboard = try await browser.send(.get, "/dashboard")
            #expect(dashboard.status == .seeOther)
            #expect(dashboard.headers[.location] == "/login")
            #expect(try await browser.send(.get, "/login").text.contains("Please sign in first"))
        }
    }

    @Test(arguments: Self.servers)
    func forgedOrUnknownIDIsReplacedNeverAdopted(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            for forged in [SessionIdentifier.random().rawValue, "../../etc/passwd", String(repeating: "x", count: 5000)] {
                let browser = client.newBrowser()
                browser.cookies["swift_session"] = forged
                let counter = try await browser.send(.get, "/counter")
                #expect(counter.text == "count: 1")
                let issued = try #require(browser.cookies["swift_session"])
                #expect(issued != forged)
                #expect(SessionIdentifier(validating: issued) != nil)
            }
        }
    }

    @Test(arguments: Self.servers)
    func counterCountsPerSession(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            for expected in 1...5 {
                let counter = try await browser.send(.get, "/counter")
                #expect(counter.text == "count: \(expected)")
            }
            let other = client.newBrowser()
            let first = try await other.send(.get, "/counter")
            #expect(first.text == "count: 1")
        }
    }

    /// `counting` wraps the file driver: a wrapper keeps its conditional writes.
    @Test(arguments: Self.servers, ["memory", "file", "counting"])
    func twoHundredConcurrentCountersWithOneCookieAreAllCounted(server: DemoServer, driver: String) async throws {
        try await withDemo(server, Self.config { $0.driver = driver }) { _, client in
            _ = try await client.send(.get, "/counter")
            let cookie = try #require(client.cookies["swift_session"])
            try await Self.countTwoHundredTimes(cookie: cookie, ports: [try #require(client.port)])
            let final = try await client.send(.get, "/counter")
            #expect(final.text == "count: 202", "lost increments: \(final.text)")
        }
    }

    @Test(arguments: Self.servers)
    func csrfRejectionChangesNothing(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            _ = try await Self.signIn(browser)
            let cookie = browser.cookies["swift_session"]
            let noToken = try await browser.send(.post, "/logout", form: [("other", "1")])
            #expect(noToken.status.code == 419)
            let wrongToken = try await browser.send(.post, "/logout", form: [("_token", "forged")])
            #expect(wrongToken.status.code == 419)
            let noBody = try await browser.send(.post, "/logout")
            #expect(noBody.status.code == 419)
            #expect(noToken.setCookies.isEmpty && wrongToken.setCookies.isEmpty)
            #expect(browser.cookies["swift_session"] == cookie)
            let dashboard = try await browser.send(.get, "/dashboard")
            #expect(dashboard.text.contains("Signed in as ada"), "a rejected logout signed the user out")
            #expect(dashboard.text.contains("Welcome, ada!"), "a rejected request aged the flash")
        }
    }

    @Test(arguments: Self.servers)
    func csrfTokenInAHeaderIsAccepted(server: DemoServer) async throws {
        try await withDemo(server) { _, client in
            let browser = client
            _ = try await Self.signIn(browser)
            let token = try #require(try await browser.send(.get, "/dashboard").csrfToken)
            var headers = HTTPFields()
            headers[try #require(HTTPField.Name("X-CSRF-Token"))] = token
            let logout = try await browser.send(.post, "/logout", headers: headers)
            #expect(logout.status == .seeOther)
            #expect(try await browser.send(.get, "/dashboard").status == .seeOther)
        }
    }

    @Test(arguments: Self.servers)
    func customDriverRegisteredWithExtendIsTheOneUsed(server: DemoServer) async throws {
        try await withDemo(server, Self.config { $0.driver = "counting" }) { sessions, client in
            let browser = client
            _ = try await browser.send(.get, "/counter")
            _ = try await browser.send(.get, "/counter")
            let driver = try #require(try await sessions.driver("counting") as? CountingSessionDriver)
            #expect(driver.operationCounts["write", default: 0] == 2)
            #expect(driver.operationCounts["read", default: 0] == 1)
        }
    }

    @Test(arguments: Self.servers)
    func aStoreThatThrowsGivesA500AndNoCookie(server: DemoServer) async throws {
        let config = Self.config { $0.driver = "broken" }
        try await withDemo(server, config, configure: { $0.extend("broken") { _ in FailingDriver.broken } }) { _, client in
            let browser = client
            let counter = try await browser.send(.get, "/counter")
            #expect(counter.status == .internalServerError)
            #expect(counter.setCookies.isEmpty)
            browser.cookies["swift_session"] = SessionIdentifier.random().rawValue
            let loading = try await browser.send(.get, "/counter")
            #expect(loading.status == .internalServerError)
            #expect(loading.setCookies.isEmpty)
        }
    }

    @Test(arguments: Self.servers)
    func anUnreachableStoreGets503WithRetryAfterAndNoCookie(server: DemoServer) async throws {
        let config = Self.config { $0.driver = "unreachable" }
        try await withDemo(server, config, configure: { $0.extend("unreachable") { _ in FailingDriver.unreachable } }) { _, client in
            let browser = client
            let fresh = try await browser.send(.get, "/counter")
            #expect(fresh.status == .serviceUnavailable)
            #expect(fresh.headers[.retryAfter] == "5")
            #expect(fresh.setCookies.isEmpty)
            browser.cookies["swift_session"] = SessionIdentifier.random().rawValue
            let returning = try await browser.send(.get, "/counter")
            #expect(returning.status == .serviceUnavailable)
            #expect(returning.headers[.retryAfter] == "5")
            #expect(returning.setCookies.isEmpty)
            #expect(try await browser.send(.get, "/health").status == .ok, "routes without sessions keep working")
        }
    }

    @Test func theCountingDriverReadsItsOwnSettingFromTheEnvironment() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = ["SESSION_DRIVER": "counting", "SESSION_FILES": folder]
        let quiet = try DemoApplication(config: SessionConfig.load(file: "", environment: environment.merging(["SESSION_COUNTING_LOG": "off"]) { $1 }))
        try await quiet.sessions.open()
        #expect(try #require(try await quiet.sessions.driver() as? CountingSessionDriver).logsOperations == false)

        let chatty = try DemoApplication(config: SessionConfig.load(file: "", environment: environment))
        #expect(try #require(try await chatty.sessions.driver() as? CountingSessionDriver).logsOperations == true)

        let wrong = try DemoApplication(config: SessionConfig.load(file: "", environment: environment.merging(["SESSION_COUNTING_LOG": "maybe"]) { $1 }))
        let error = await #expect(throws: SessionConfigError.self) { try await wrong.sessions.open() }
        #expect(error?.key == "counting_log")
        #expect(error?.description.hasPrefix("SESSION_COUNTING_LOG=maybe: counting_log must be true or false") == true)
    }
}

#endif
