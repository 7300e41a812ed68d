#if Hummingbird
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Sessions
import SessionsAdapterTestSupport
import SessionsConformance
import SessionsHummingbird
import Synchronization
import Testing

struct TestContext: StartSessionRequestContext {
    var coreContext: CoreRequestContextStorage
    var sessionSlot = SessionSlot()
    init(source: Source) { coreContext = .init(source: source) }
}

/// The middleware on routes of its own, through a live server.
@Suite struct MiddlewareTests {
    func withApp<Value>(
        logger: Logger = Logger(label: "test"),
        manager: SessionManager,
        _ routes: (Router<TestContext>) -> Void,
        _ body: @Sendable (LiveClient) async throws -> Value
    ) async throws -> Value {
        let router = Router(context: TestContext.self)
        routes(router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(.live) { client in try await body(LiveClient(client)) }
    }

    func memoryManager(observer: @escaping SessionEventObserver = { _ in }) throws -> SessionManager {
        var config = SessionConfig()
        config.driver = "memory"
        return try SessionManager(config: config, observer: observer)
    }

    @Test func apiGroupLeavesFlashForTheNextPage() async throws {
        let manager = try memoryManager()
        try await withApp(manager: manager, { router in
            let pages = router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager))
            pages.get("/flash") { _, context in
                try context.session.flash("status", "Saved")
                return "flashed"
            }
            pages.get("/page") { _, context in try context.session.get("status", default: "none") }
            router.group("api").add(middleware: StartSessionMiddleware<TestContext>(manager: manager, ageFlashData: false))
                .get("ping") { _, context in try context.session.get("status", default: "none") }
        }) { client in
            let browser = client
            _ = try await browser.send(.get, "/flash")
            for _ in 0..<3 {
                #expect(try await browser.send(.get, "/api/ping").text == "Saved")
            }
            #expect(try await browser.send(.get, "/page").text == "Saved")
            #expect(try await browser.send(.get, "/page").text == "none")
        }
    }

    @Test func unagedAPIRequestsOverlappingThePageLeaveItsFlash() async throws {
        let manager = try memoryManager()
        try await withApp(manager: manager, { router in
            let pages = router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager))
            pages.get("/flash") { _, context in
                try context.session.flash("status", "Saved")
                return "flashed"
            }
            pages.get("/page") { _, context in
                try await Task.sleep(for: .milliseconds(30))
                return try context.session.get("status", default: "none")
            }
            router.group("api").add(middleware: StartSessionMiddleware<TestContext>(manager: manager, ageFlashData: false))
                .get("poll") { _, context in
                    let session = try context.session
                    _ = try session.increment("polls")
                    return session.get("status", default: "none")
                }
        }) { client in
            _ = try await client.send(.get, "/flash")
            let cookie = try #require(client.cookies["swift_session"])
            let port = try #require(client.port)
            let polls = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let connection = TestClient(host: "localhost", port: port)
                        connection.connect()
                        var seen: [String] = []
                        for _ in 0..<5 {
                            let response = try await connection.get("/api/poll", headers: [.cookie: "swift_session=\(cookie)"])
                            seen.append(response.body.map { String(buffer: $0) } ?? "")
                        }
                        try await connection.shutdown()
                        return seen
                    }
                }
                let page = try await client.send(.get, "/page")
                #expect(page.text == "Saved", "the page lost its flash to overlapping API requests")
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(polls.count == 20)
            #expect(try await client.send(.get, "/page").text == "none", "the flash outlived the page that showed it")
        }
    }

    @Test func blockingRouteAnswers503WhenItsTurnDoesNotCome() async throws {
        let manager = try memoryManager()
        // The request holding the lock stays in its handler until the test has seen the other
        // one turned away (at most 5 s), rather than for a fixed time a loaded machine can outlast.
        let turnedAway = Mutex(false)
        try await withApp(manager: manager, { router in
            router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager))
                .get("/start") { _, context in try context.session.put("started", true); return "ok" }
            router.group("slow")
                .add(middleware: StartSessionMiddleware<TestContext>(manager: manager, blocking: .init(lease: .seconds(5), wait: .milliseconds(100))))
                .get("work") { _, _ in
                    for _ in 0..<500 where !turnedAway.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                    return "done"
                }
        }) { client in
            _ = try await client.send(.get, "/start")
            let cookie = try #require(client.cookies["swift_session"])
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        let connection = TestClient(host: "localhost", port: port)
                        connection.connect()
                        let response = try await connection.get("/slow/work", headers: [.cookie: "swift_session=\(cookie)"])
                        try await connection.shutdown()
                        return response.status
                    }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group {
                    statuses.append(status)
                    if status == .serviceUnavailable { turnedAway.withLock { $0 = true } }
                }
                return statuses
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .serviceUnavailable])
        }
    }

    @Test func aCookieNeverGoesOutInAResponseASharedCacheMayStore() async throws {
        let manager = try memoryManager()
        try await withApp(manager: manager, { router in
            let group = router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager))
            for (path, policy) in [("/public", "public, max-age=3600"), ("/shared", "s-maxage=600"), ("/private", "private, max-age=60")] {
                group.get(RouterPath(path)) { _, context -> Response in
                    try context.session.put("visited", path)
                    return Response(status: .ok, headers: [.cacheControl: policy], body: .init(byteBuffer: ByteBuffer(string: "ok")))
                }
            }
        }) { client in
            for path in ["/public", "/shared"] {
                client.cookies = [:]
                let response = try await client.send(.get, path)
                #expect(response.setCookies.count == 1)
                #expect(response.headers[values: .cacheControl] == ["private, no-store"], "\(path): a CDN could store this cookie")
            }
            client.cookies = [:]
            let kept = try await client.send(.get, "/private")
            #expect(kept.setCookies.count == 1)
            #expect(kept.headers[.cacheControl] == "private, max-age=60", "a policy that already keeps shared caches out was replaced")
        }
    }

    @Test func handlerErrorsBelow500SaveAndAbove500DoNot() async throws {
        let manager = try memoryManager()
        try await withApp(manager: manager, { router in
            let group = router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager))
            group.get("/missing") { _, context -> String in
                try context.session.put("seen", true)
                throw HTTPError(.notFound)
            }
            group.get("/crash") { _, context -> String in
                try context.session.put("crashed", true)
                throw HTTPError(.serviceUnavailable)
            }
            group.get("/read") { _, context in "\(try context.session.has("seen")) \(try context.session.has("crashed"))" }
        }) { client in
            let browser = client
            let missing = try await browser.send(.get, "/missing")
            #expect(missing.status == .notFound)
            #expect(missing.setCookies.count == 1)
            let crash = try await browser.send(.get, "/crash")
            #expect(crash.status == .serviceUnavailable)
            #expect(crash.setCookies.isEmpty)
            #expect(try await browser.send(.get, "/read").text == "true false")
        }
    }

    @Test func storeFailureIsLoggedWithoutTheSessionID() async throws {
        let lines = LogLines()
        var logger = Logger(label: "test") { _ in lines }
        logger.logLevel = .debug
        var config = SessionConfig()
        config.driver = "flaky"
        let failing = FlakyDriver()
        let manager = try SessionManager(config: config, observer: SessionLogging.observer(logger: logger))
        manager.extend("flaky") { _ in failing }
        let id = SessionIdentifier.random()
        try await failing.inner.write(id, payload: [], metadata: SessionMetadata(expiresAt: Date().addingTimeInterval(600), createdAt: Date()))
        failing.failing.withLock { $0 = true }
        try await withApp(logger: logger, manager: manager, { router in
            router.group().add(middleware: StartSessionMiddleware<TestContext>(manager: manager)).get("/x") { _, _ in "x" }
        }) { client in
            let browser = client
            browser.cookies["swift_session"] = id.rawValue
            let response = try await browser.send(.get, "/x")
            #expect(response.status == .internalServerError)
            #expect(response.setCookies.isEmpty)
        }
        let logged = lines.all
        #expect(logged.contains { $0.contains("could not load the session") })
        #expect(logged.contains { $0.contains("session driver flaky failed to read") })
        #expect(!logged.contains { $0.contains(id.rawValue) }, "a log line carried the raw session ID")
    }

    @Test func gcServiceCollectsPeriodicallyAndClosesDriversOnShutdown() async throws {
        let probe = FlakyDriver()
        var config = SessionConfig()
        config.driver = "probe"
        let manager = try SessionManager(config: config)
        manager.extend("probe") { _ in probe }
        let service = SessionManagerService(manager: manager, every: .milliseconds(20), logger: Logger(label: "gc"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "gc"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while probe.count("gc") < 2 { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(probe.count("close") == 1)
    }
}

@Suite struct ServiceTests {
    @Test(arguments: [("0.0.0.0", true), ("127.0.0.1", false)])
    func theServiceWarnsAtStartWhenInsecureCookiesLeaveThisMachine(host: String, warns: Bool) async throws {
        let lines = LogLines()
        let logger = Logger(label: "boot") { _ in lines }
        let probe = FlakyDriver()
        var config = SessionConfig()
        config.driver = "probe"
        let manager = try SessionManager(config: config)
        manager.extend("probe") { _ in probe }
        let service = SessionManagerService(manager: manager, every: .milliseconds(10), host: host, logger: logger)
        let group = ServiceGroup(services: [service], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // A gc run means the start, and its warning, are behind.
            while probe.count("gc") < 1 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let warned = lines.all.contains { $0.hasPrefix("warning") && $0.contains("without Secure") }
        #expect(warned == warns, "\(host): \(lines.all)")
    }

    @Test func aDriverThatCannotOpenStopsTheServiceGroupNamingIt() async throws {
        var config = SessionConfig()
        config.driver = "database"
        let manager = try SessionManager(config: config)
        manager.extend("database") { _ in RefusingDriver() }
        let group = ServiceGroup(
            services: [SessionManagerService(manager: manager, logger: Logger(label: "boot"))], logger: Logger(label: "boot"))
        let error = await #expect(throws: SessionError.self) { try await group.run() }
        #expect(error == .openFailed(driver: "database", reason: "connection refused"))
    }

    @Test func aBadSettingStopsTheServiceGroupNamingTheKey() async throws {
        let manager = try SessionManager(config: SessionConfig.decode(json: Array(#"{"lifetme": 5}"#.utf8)))
        let group = ServiceGroup(
            services: [SessionManagerService(manager: manager, logger: Logger(label: "boot"))], logger: Logger(label: "boot"))
        let error = await #expect(throws: SessionConfigError.self) { try await group.run() }
        #expect(error?.key == "lifetme")
    }
}

#endif
