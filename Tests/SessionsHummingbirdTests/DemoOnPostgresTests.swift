#if Hummingbird && Postgres
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Sessions
import SessionsDemoApp
import SessionsPostgres
import SessionsPostgresTestSupport
import Testing

/// The demo on PostgreSQL (`SESSION_DRIVER=database`) through live servers on 127.0.0.1: two
/// instances sharing one database, and a database that stops under a running server.
@Suite struct DemoOnPostgresTests {
    static func config(url: String, table: String) -> SessionConfig {
        DemoTests.config {
            $0.driver = "database"
            $0[PostgresSessionDriver.urlSetting] = url
            $0[PostgresSessionDriver.tableSetting] = table
            // Fewer connections to open (each a SCRAM handshake, slow in a debug build) while
            // the rest of the suite runs beside these tests.
            $0[PostgresSessionDriver.poolSizeSetting] = 4
        }
    }

    /// Runs two demo instances on one table, each behind its own live server.
    static func withTwoInstances(
        _ body: @Sendable (any TestClientProtocol, any TestClientProtocol) async throws -> Void
    ) async throws {
        let table = PostgresTestDatabase.uniqueTable("demo")
        let config = Self.config(url: try PostgresTestDatabase.requireURL(), table: table)
        let first = try DemoApplication(config: config)
        let second = try DemoApplication(config: config)
        do {
            try await first.application.test(.live) { one in
                try await second.application.test(.live) { two in try await body(one, two) }
            }
        } catch {
            await PostgresTestDatabase.drop(table)
            throw error
        }
        await PostgresTestDatabase.drop(table)
    }

    @Test(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
    func aSignInFlashAndSignOutThroughOneInstanceHoldOnTheOther() async throws {
        try await Self.withTwoInstances { one, two in
            let browser = LiveClient(one)
            let signIn = try await DemoTests.signIn(browser)
            #expect(signIn.status == .seeOther)
            let signedIn = try #require(browser.cookies["swift_session"])

            browser.transport = .framework(two)
            let dashboard = try await browser.send(.get, "/dashboard")
            #expect(dashboard.text.contains("Signed in as ada"), "the second instance does not know the user")
            #expect(dashboard.text.contains("Welcome, ada!"), "the flash set through the first was not shown through the second")
            browser.transport = .framework(one)
            let again = try await browser.send(.get, "/dashboard")
            #expect(again.text.contains("Signed in as ada"))
            #expect(!again.text.contains("Welcome, ada!"), "a flash was shown twice")

            browser.transport = .framework(two)
            let token = try #require(again.csrfToken)
            let logout = try await browser.send(.post, "/logout", form: [("_token", token)])
            #expect(logout.status == .seeOther)
            browser.transport = .framework(one)
            let login = try await browser.send(.get, "/login")
            #expect(login.text.contains("Signed out"), "the logout's flash did not reach the first instance")

            let replay = browser.newBrowser()
            replay.cookies["swift_session"] = signedIn
            let replayed = try await replay.send(.get, "/dashboard")
            #expect(replayed.status == .seeOther, "the first instance still knows a session signed out through the second")
            #expect(replayed.headers[.location] == "/login")
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
    func twoHundredConcurrentCountersSplitAcrossBothInstancesAreAllCounted() async throws {
        try await Self.withTwoInstances { one, two in
            let browser = LiveClient(one)
            _ = try await browser.send(.get, "/counter")
            let cookie = try #require(browser.cookies["swift_session"])
            try await DemoTests.countTwoHundredTimes(cookie: cookie, ports: [try #require(one.port), try #require(two.port)])
            browser.transport = .framework(two)
            let final = try await browser.send(.get, "/counter")
            #expect(final.text == "count: 202", "lost increments: \(final.text)")
        }
    }

    #if Vapor
    /// The same sessions whichever framework serves them: the Hummingbird demo and the Vapor demo
    /// on one table share sign-in, flash and sign-out, and count 200 concurrent increments
    /// spread over both exactly.
    @Test(.enabled(if: PostgresTestDatabase.runs, PostgresTestDatabase.skipReason))
    func theHummingbirdAndTheVaporDemoShareOneDatabasesSessions() async throws {
        let table = PostgresTestDatabase.uniqueTable("demo")
        let config = Self.config(url: try PostgresTestDatabase.requireURL(), table: table)
        let hummingbird = try DemoApplication(config: config)
        do {
            try await hummingbird.application.test(.live) { one in
                try await withVaporDemo(config: config, logger: Logger(label: "sessions-vapor-demo"), configure: { _ in }) { _, two, port in
                    let browser = LiveClient(one)
                    _ = try await DemoTests.signIn(browser)
                    browser.transport = .connection(two, port: port)
                    let dashboard = try await browser.send(.get, "/dashboard")
                    #expect(dashboard.text.contains("Signed in as ada"), "the Vapor demo does not know the user")
                    #expect(dashboard.text.contains("Welcome, ada!"), "the flash set through Hummingbird was not shown through Vapor")
                    let logout = try await browser.send(.post, "/logout", form: [("_token", try #require(dashboard.csrfToken))])
                    #expect(logout.status == .seeOther)

                    browser.transport = .framework(one)
                    #expect(try await browser.send(.get, "/login").text.contains("Signed out"), "the logout's flash did not reach Hummingbird")
                    _ = try await browser.send(.get, "/counter")
                    let cookie = try #require(browser.cookies["swift_session"])
                    try await DemoTests.countTwoHundredTimes(cookie: cookie, ports: [try #require(one.port), port])
                    browser.transport = .connection(two, port: port)
                    let final = try await browser.send(.get, "/counter")
                    #expect(final.text == "count: 202", "lost increments: \(final.text)")
                }
            }
        } catch {
            await PostgresTestDatabase.drop(table)
            throw error
        }
        await PostgresTestDatabase.drop(table)
    }
    #endif

    /// A cluster of the test's own, stopped under the running demo: session routes answer 503
    /// with `Retry-After` within the timeouts while `/health` answers, and once it is started
    /// again the same cookie finds the same signed-in session.
    @Test(.enabled(if: PostgresCluster.runs, PostgresCluster.skipReason))
    func aStoppedDatabaseGets503WhileHealthAnswersAndTheSessionComesBack() async throws {
        try await PostgresCluster.withCluster { cluster in
            var config = Self.config(url: cluster.url, table: "sessions")
            config[PostgresSessionDriver.connectTimeoutSetting] = .seconds(3)
            config[PostgresSessionDriver.statementTimeoutSetting] = .seconds(3)
            let demo = try DemoApplication(config: config)
            try await demo.application.test(.live) { client in
                let browser = LiveClient(client)
                _ = try await DemoTests.signIn(browser)
                let cookie = browser.cookies["swift_session"]

                try await cluster.stop()
                let clock = ContinuousClock()
                for route in ["/dashboard", "/counter", "/login"] {
                    let began = clock.now
                    let down = try await browser.send(.get, route)
                    #expect(down.status == .serviceUnavailable, "\(route) answered \(down.status) with the database stopped")
                    #expect(down.headers[.retryAfter] != nil)
                    #expect(down.setCookies.isEmpty, "a cookie went out while the store was down")
                    #expect(clock.now - began < .seconds(9), "\(route) took \(clock.now - began) (calls give up after 6 s)")
                }
                let began = clock.now
                #expect(try await browser.send(.get, "/health").text == "ok")
                #expect(clock.now - began < .seconds(1), "/health waited for the database")
                #expect(browser.cookies["swift_session"] == cookie)

                try await cluster.restart()
                var dashboard = try await browser.send(.get, "/dashboard")
                for _ in 0..<50 where dashboard.status == .serviceUnavailable {
                    try await Task.sleep(for: .milliseconds(200))
                    dashboard = try await browser.send(.get, "/dashboard")
                }
                #expect(dashboard.text.contains("Signed in as ada"), "the session did not come back with the database")
            }
        }
    }
}
#endif
