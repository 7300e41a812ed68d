import Foundation
import Testing

@testable import Sessions
import SessionsConformance

/// Overlapping requests of one session lose nothing, never bring back a destroyed session, and
/// a regenerated ID cannot be used to read or overwrite the new session.
@Suite struct ConcurrencyTests {
    enum Store: String, CaseIterable, CustomStringConvertible {
        case memory, file
        var description: String { rawValue }
    }

    /// A manager on `store` with lifecycle helpers, cleaned up by `close`.
    struct Bench {
        let manager: SessionManager
        let events = EventLog()
        let folder: String

        init(_ store: Store, configure: (inout SessionConfig) -> Void = { _ in }) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("concurrency-\(UUID())").path
            var config = SessionConfig()
            config.driver = store.rawValue
            config[FileSessionDriver.folderSetting] = folder
            config.lottery = .init(chances: 0, outOf: 100)
            configure(&config)
            manager = try SessionManager(config: config, observer: events.observer)
        }

        var lifecycle: SessionLifecycle { SessionLifecycle(manager: manager) }

        func close() { try? FileManager.default.removeItem(atPath: folder) }

        /// One request carrying `cookie`: `handler` runs, then the session is finished.
        func request(_ cookie: String?, _ handler: @Sendable (Session) throws -> Void) async throws -> SessionResponse {
            let started = try await lifecycle.start(cookieHeaders: cookie.map { ["swift_session=\($0)"] } ?? [])
            try handler(started.session)
            return try await lifecycle.finish(started, status: 200)
        }

        /// A stored session's ID.
        func newSession(_ values: [String: SessionValue] = ["seed": true]) async throws -> String {
            let headers = try await request(nil) { $0.put(values) }
            return try #require(cookieID(headers.value("Set-Cookie")))
        }
    }

    @Test(arguments: Store.allCases)
    func hundredConcurrentRequestsEachPuttingAKeyAllSurvive(store: Store) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let id = try await bench.newSession()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { _ = try await bench.request(id) { $0.put("key-\(index)", index) } }
            }
            try await group.waitForAll()
        }
        let session = try #require(try await bench.manager.load(id: id))
        for index in 0..<100 { #expect(session.get("key-\(index)") == index, "key-\(index) was lost") }
    }

    @Test(arguments: Store.allCases)
    func twoHundredConcurrentIncrementsAreAllCounted(store: Store) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let id = try await bench.newSession()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask { _ = try await bench.request(id) { _ = try $0.increment("count") } }
            }
            try await group.waitForAll()
        }
        let session = try #require(try await bench.manager.load(id: id))
        #expect(session.get("count") == 200)
    }

    @Test(arguments: Store.allCases)
    func logoutRacingFiftyWritersLeavesTheOldIDGone(store: Store) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let id = try await bench.newSession(["user": "ada"])
        let cookies = try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<50 {
                group.addTask { try await bench.request(id) { $0.put("write-\(index)", index) }.values("Set-Cookie") }
            }
            group.addTask {
                try await bench.request(id) { session in
                    session.invalidate()
                    session.flash("status", "Signed out")
                }.values("Set-Cookie")
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(try await bench.manager.load(id: id) == nil, "the logged-out session came back")
        #expect(!cookies.contains { cookieID($0) == id }, "a response re-sent the dead ID")
        #expect(cookies.filter { cookieID($0) != nil }.count == 1, "only the logout response may set a cookie: \(cookies)")
        #expect(!cookies.contains { $0.contains("Max-Age=0") }, "a racing request cleared the new cookie")
    }

    @Test(arguments: Store.allCases)
    func aJustRegeneratedIDGetsNoCookieAndChangesNothing(store: Store) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let oldID = try await bench.newSession(["cart": 1])
        let login = try await bench.request(oldID) { session in
            session.regenerate()
            session.put("user", "ada")
        }
        let newID = try #require(cookieID(login.value("Set-Cookie")))
        let late = try await bench.request(oldID) { session in
            #expect(session.get("user", as: String.self) == nil, "the old ID reads the new session")
            #expect(session.all().isEmpty)
            session.put("user", "mallory")
            session.flash("status", "hijacked")
        }
        #expect(late.value("Set-Cookie") == nil, "a request with the retired ID sent a cookie: \(late)")
        let current = try #require(try await bench.manager.load(id: newID))
        #expect(current.get("user") == "ada")
        #expect(current.get("status", as: String.self) == nil)
        #expect(bench.events.all.contains(.retiredID(SessionFingerprint(try #require(SessionIdentifier(validating: oldID))))))
    }

    @Test func aRetiredIDIsUnknownOnceItsTombstoneExpires() async throws {
        let time = ManualClock()
        var config = SessionConfig()
        config.driver = "memory"
        config.tombstoneLifetime = .seconds(30)
        let manager = try SessionManager(config: config, clock: time.clock)
        let lifecycle = SessionLifecycle(manager: manager)
        let first = try await lifecycle.start(cookieHeaders: [])
        first.session.put("a", 1)
        _ = try await lifecycle.finish(first, status: 200)
        let oldID = first.session.id
        let login = try await lifecycle.start(cookieHeaders: ["swift_session=\(oldID.rawValue)"])
        login.session.regenerate()
        _ = try await lifecycle.finish(login, status: 200)
        time.advance(by: .seconds(31))
        let late = try await lifecycle.start(cookieHeaders: ["swift_session=\(oldID.rawValue)"])
        late.session.put("b", 2)
        let headers = try await lifecycle.finish(late, status: 200)
        #expect(late.session.id != oldID)
        #expect(cookieID(headers.value("Set-Cookie")) == late.session.id.rawValue)
    }

    @Test(arguments: Store.allCases)
    func regenerateCarriesOverAWriteThatLandedMeanwhile(store: Store) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let oldID = try await bench.newSession(["cart": 1])
        let login = try await bench.lifecycle.start(cookieHeaders: ["swift_session=\(oldID)"])
        _ = try await bench.request(oldID) { $0.put("theme", "dark") }
        login.session.regenerate()
        login.session.put("user", "ada")
        let headers = try await bench.lifecycle.finish(login, status: 200)
        let newID = try #require(cookieID(headers.value("Set-Cookie")))
        let session = try #require(try await bench.manager.load(id: newID))
        #expect(session.get("user") == "ada")
        #expect(session.get("theme") == "dark", "a write that landed during login was lost")
        #expect(session.get("cart") == 1)
    }

    /// Two overlapping requests age the same flash data (an earlier message both see), and one
    /// of them flashes a new message: whichever saves last, the earlier message is gone and the
    /// new one reaches the next page exactly once.
    @Test(arguments: Store.allCases, [true, false])
    func flashSurvivesAnOverlappingRequestWhicheverSavesLast(store: Store, flasherSavesFirst: Bool) async throws {
        let bench = try Bench(store)
        defer { bench.close() }
        let id = try await bench.newSession()
        _ = try await bench.request(id) { $0.flash("status", "Earlier") }
        let flasher = try await bench.lifecycle.start(cookieHeaders: ["swift_session=\(id)"])
        let bystander = try await bench.lifecycle.start(cookieHeaders: ["swift_session=\(id)"])
        #expect(flasher.session.get("status") == "Earlier" && bystander.session.get("status") == "Earlier")
        flasher.session.flash("notice", "Saved!")
        let order = flasherSavesFirst ? [flasher, bystander] : [bystander, flasher]
        for started in order { _ = try await bench.lifecycle.finish(started, status: 200) }

        var pages: [[String]] = []
        for _ in 0..<2 {
            let page = try await bench.lifecycle.start(cookieHeaders: ["swift_session=\(id)"])
            pages.append(["status", "notice"].filter { page.session.get($0, as: String.self) != nil })
            _ = try await bench.lifecycle.finish(page, status: 200)
        }
        #expect(pages == [["notice"], []], "pages saw \(pages)")
    }

    @Test func lastWriterWinsOnABasicDriverIsTheDocumentedLimit() async throws {
        var config = SessionConfig()
        config.driver = "basic"
        let manager = try SessionManager(config: config)
        manager.extend("basic") { SixVerbDriver(inner: MemorySessionDriver(context: $0)) }
        let seed = try await manager.buildSession()
        seed.put("seed", true)
        try await seed.save()
        let first = try #require(try await manager.load(id: seed.id.rawValue))
        let second = try #require(try await manager.load(id: seed.id.rawValue))
        first.put("a", 1)
        second.put("b", 2)
        try await first.save()
        try await second.save()
        let after = try #require(try await manager.load(id: seed.id.rawValue))
        #expect(after.get("b") == 2)
        #expect(after.get("a", as: Int.self) == nil, "a basic driver unexpectedly merged")
    }
}

/// A new session keeps no operation log (nobody else can know its ID before its first save), so
/// the save must still notice changes that arrive while it writes.
@Suite struct NewSessionSaveTests {
    /// Holds the first conditional write until released, and says when it arrived.
    struct GatedDriver: SessionDriverWrapper {
        let inner: any SessionDriver
        let held = Locked(false)
        let arrived = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()

        func write(
            _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
        ) async throws -> ConditionalWrite {
            let first = held.withLock { held in
                defer { held = true }
                return !held
            }
            if first {
                arrived.continuation.yield()
                for await _ in release.stream { break }
            }
            return try await inner.write(id, payload: payload, metadata: metadata, ifVersion: expected)
        }
    }

    @Test func aChangeMadeWhileTheFirstSaveWritesIsSavedByTheNext() async throws {
        let driver = GatedDriver(inner: MemorySessionDriver())
        let manager = try SessionManager()
        manager.extend("gated") { _ in driver }
        let session = try await manager.buildSession(driver: "gated")
        session.put("before", 1)

        async let firstSave: Void = session.save()
        for await _ in driver.arrived.stream { break }
        session.put("during", 2)
        driver.release.continuation.yield()
        try await firstSave

        #expect(session.isDirty, "the change made during the save was forgotten")
        try await session.save()
        let loaded = try #require(try await manager.load(id: session.id.rawValue, driver: "gated"))
        #expect(loaded.get("before") == 1)
        #expect(loaded.get("during") == 2)
    }
}

/// A driver without conditional writes is last-writer-wins, but never undoes a logout.
@Suite struct LastWriterWinsTests {
    @Test(arguments: [0, 30])
    func aLogoutIsNotUndoneByARequestThatLoadedBeforeIt(tombstoneSeconds: Int64) async throws {
        var config = SessionConfig()
        config.driver = "basic"
        config.lottery = .init(chances: 0, outOf: 100)
        config.tombstoneLifetime = .seconds(tombstoneSeconds)
        let events = EventLog()
        let manager = try SessionManager(config: config, observer: events.observer)
        manager.extend("basic") { SixVerbDriver(inner: MemorySessionDriver(context: $0)) }
        let lifecycle = SessionLifecycle(manager: manager)

        let signIn = try await lifecycle.start(cookieHeaders: [])
        signIn.session.put("user", "ada")
        _ = try await lifecycle.finish(signIn, status: 200)
        let cookie = ["swift_session=\(signIn.session.id.rawValue)"]

        let slow = try await lifecycle.start(cookieHeaders: cookie)
        #expect(slow.session.get("user", as: String.self) == "ada")
        let logout = try await lifecycle.start(cookieHeaders: cookie)
        logout.session.invalidate()
        _ = try await lifecycle.finish(logout, status: 200)
        slow.session.put("seen", true)
        let headers = try await lifecycle.finish(slow, status: 200)

        #expect(headers.setCookie == nil, "the late request sent a cookie")
        let after = try await lifecycle.start(cookieHeaders: cookie)
        #expect(after.session.get("user", as: String.self) == nil, "the logout was undone")
        #expect(events.all.contains(.changesDropped(SessionFingerprint(signIn.session.id))))
        #expect(events.all.filter { $0 == .lastWriterWins(driver: "basic") }.count == 1, "reported once, when the driver was built")
    }
}

/// A save that keeps losing races keeps trying while the session is busy, and gives up on a
/// store that never lets it win.
@Suite struct ConflictPatienceTests {
    /// Answers `conflict` to the first `conflicts` conditional writes of a stored session.
    struct ContendedDriver: SessionDriverWrapper {
        let inner: any SessionDriver
        let conflicts: Int
        let lost = Locked(0)

        func write(
            _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
        ) async throws -> ConditionalWrite {
            let conflicting = expected != nil && lost.withLock { lost in
                defer { lost += 1 }
                return lost < conflicts
            }
            if conflicting { return .conflict }
            return try await inner.write(id, payload: payload, metadata: metadata, ifVersion: expected)
        }
    }

    /// A stored session with `count` 1 on a driver that makes its next `conflicts` writes conflict.
    static func contendedSession(conflicts: Int) async throws -> (SessionManager, ContendedDriver, Session) {
        let driver = ContendedDriver(inner: MemorySessionDriver(), conflicts: conflicts)
        let manager = try SessionManager()
        manager.extend("contended") { _ in driver }
        let session = try await manager.buildSession(driver: "contended")
        session.put("count", 1)
        try await session.save()
        return (manager, driver, session)
    }

    /// A writer in a tight loop in another process once won 64 races in a row in about a second
    /// on a loaded CI machine, and the save that gave up lost its increment: the count alone
    /// no longer ends a save.
    @Test func aSaveGivesUpOnlyAfter64LostRacesAndFiveSeconds() {
        #expect(Session.keepsTrying(after: 1, elapsed: .zero))
        #expect(Session.keepsTrying(after: 63, elapsed: .seconds(60)))
        #expect(Session.keepsTrying(after: 64, elapsed: .milliseconds(900)))
        #expect(Session.keepsTrying(after: 500, elapsed: .milliseconds(4_999)))
        #expect(!Session.keepsTrying(after: 64, elapsed: .seconds(5)))
        #expect(!Session.keepsTrying(after: 300, elapsed: .seconds(6)))
    }

    @Test func aSaveThatLosesSomeRacesLandsWithTheChangesOfTheWinners() async throws {
        let (manager, driver, session) = try await Self.contendedSession(conflicts: 3)
        try session.increment("count")
        try await session.save()
        #expect(driver.lost.withLock { $0 } == 4)
        let loaded = try #require(try await manager.load(id: session.id.rawValue, driver: "contended"))
        #expect(loaded.get("count") == 2)
    }

    @Test func aStoreThatNeverLetsTheSaveWinGetsTooManyConflicts() async throws {
        let (_, driver, session) = try await Self.contendedSession(conflicts: .max)
        try session.increment("count")
        let start = ContinuousClock.now
        let error = await #expect(throws: SessionError.self) { try await session.save() }
        let waited = ContinuousClock.now - start
        guard case .tooManyConflicts(let attempts)? = error else {
            Issue.record("expected tooManyConflicts, got \(String(describing: error))")
            return
        }
        #expect(attempts >= Session.minimumConflictsBeforeGivingUp)
        #expect(attempts == driver.lost.withLock { $0 })
        #expect(waited >= Session.minimumConflictPatience, "gave up after \(waited)")
    }
}
