import Foundation
import Testing

@testable import Sessions
import SessionsConformance

@Suite struct ManagerTests {
    @Test func builtInDriversAreRegistered() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = SessionConfig()
        config[FileSessionDriver.folderSetting] = folder
        let manager = try SessionManager(config: config)
        #expect(manager.registeredDrivers == ["file", "memory"])
        #expect(try await manager.driver("memory") is MemorySessionDriver)
        #expect(try await manager.driver() is FileSessionDriver)
    }

    @Test func unknownDriverNamesItAndTheRegisteredOnes() async throws {
        let manager = try SessionManager()
        let error = await #expect(throws: SessionError.self) { try await manager.driver("redis") }
        #expect(error == .unknownDriver(name: "redis", registered: ["file", "memory"]))
        #expect(error?.description.contains("[redis]") == true)
        #expect(error?.description.contains("file, memory") == true)
    }

    @Test func extendRegistersACustomDriverBuiltOnceAcrossConcurrentFirstCalls() async throws {
        let builds = Counter()
        let manager = try SessionManager()
        manager.extend("custom") { context in
            builds.increment()
            return MemorySessionDriver(context: context)
        }
        let drivers = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<50 {
                group.addTask { ObjectIdentifier(try await manager.driver("custom") as AnyObject) }
            }
            return try await group.reduce(into: Set()) { $0.insert($1) }
        }
        #expect(builds.value == 1)
        #expect(drivers.count == 1)
    }

    @Test func factoryReceivesTheConfigLifetimeAndClock() async throws {
        var config = SessionConfig()
        config.lifetime = .minutes(7)
        let time = ManualClock()
        let seen = Locked<SessionDriverContext?>(nil)
        let manager = try SessionManager(config: config, clock: time.clock)
        manager.extend("probe") { context in
            seen.withLock { $0 = context }
            return MemorySessionDriver(context: context)
        }
        _ = try await manager.driver("probe")
        let context = try #require(seen.withLock { $0 })
        #expect(context.name == "probe")
        #expect(context.lifetime == .seconds(420))
        #expect(context.clock.now == time.now)
    }

    @Test func aFailingOpenIsRetriedOnTheNextCall() async throws {
        let attempts = Counter()
        let manager = try SessionManager()
        manager.extend("flaky") { context in
            attempts.increment()
            if attempts.value == 1 { throw ProbeError.injected("open") }
            return MemorySessionDriver(context: context)
        }
        await #expect(throws: ProbeError.injected("open")) { try await manager.driver("flaky") }
        _ = try await manager.driver("flaky")
        #expect(attempts.value == 2)
    }

    @Test func buildSessionGivesAFreshSessionForMissingInvalidOrUnknownIDs() async throws {
        let fixture = try Fixture()
        let fresh = try await fixture.manager.buildSession()
        #expect(fresh.isNew && !fresh.isStored)
        let invalid = try await fixture.manager.buildSession(id: "not-an-id")
        #expect(invalid.id.rawValue != "not-an-id")
        let unknown = SessionIdentifier.random()
        let adopted = try await fixture.manager.buildSession(id: unknown.rawValue)
        #expect(adopted.id != unknown, "an unknown ID was adopted")
        #expect(fixture.events.all.contains(.rejectedID(reason: .malformed)))
        #expect(fixture.events.all.contains(.unknownID(SessionFingerprint(unknown))))
        let oversized = try await fixture.manager.buildSession(id: String(repeating: "a", count: 10_000))
        #expect(!oversized.isStored)
        #expect(fixture.events.all.contains(.rejectedID(reason: .oversized)))
    }

    @Test func buildSessionOnANamedDriver() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession(driver: "memory")
        #expect(session.driverName == "memory")
        #expect(session.name == "swift_session")
        session.put("a", 1)
        try await session.save()
        #expect(fixture.probe.calls("write") == 0)
        #expect(try await fixture.manager.driver("memory").read(session.id) != nil)
    }

    @Test func backgroundJobLoadsChangesAndSaves() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["credits": 1])
        #expect(try await fixture.manager.load(id: SessionIdentifier.random().rawValue) == nil)
        #expect(try await fixture.manager.load(id: "garbage") == nil)
        let job = try #require(try await fixture.manager.load(id: id.rawValue))
        try job.increment("credits", by: 9)
        try await job.save()
        let request = try #require(try await fixture.manager.load(id: id.rawValue))
        #expect(request.get("credits") == 10)
    }

    @Test func storeErrorsSurfaceAndAreReported() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession()
        fixture.probe.fail(["read"])
        await #expect(throws: ProbeError.injected("read")) { try await fixture.manager.buildSession(id: id.rawValue) }
        #expect(fixture.events.all.contains { if case .storeError(driver: "probe", operation: "read", _) = $0 { true } else { false } })
        #expect(!fixture.events.all.contains { "\($0)".contains(id.rawValue) }, "an event carried a raw ID")
    }

    @Test func payloadCapGivesAClearError() async throws {
        let fixture = try Fixture { $0.maxPayloadBytes = 1000 }
        let session = try await fixture.manager.buildSession()
        session.put("big", String(repeating: "x", count: 2000))
        let error = await #expect(throws: SessionError.self) { try await session.save() }
        if case .payloadTooLarge(let size, let limit) = error {
            #expect(size > 2000 && limit == 1000)
        } else {
            Issue.record("expected payloadTooLarge, got \(String(describing: error))")
        }
        #expect(fixture.probe.calls("write") == 0)
    }

    @Test func unencodableValueNamesItsKey() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("bad", Weird(value: .nan))
        let error = await #expect(throws: SessionError.self) { try await session.save() }
        if case .unencodable(let key, _) = error { #expect(key == "bad") } else { Issue.record("got \(String(describing: error))") }
    }

    @Test func absoluteLifetimeEndsAnActiveSession() async throws {
        let fixture = try Fixture { $0.absoluteLifetime = .minutes(60) }
        let id = try await fixture.storedSession(["user": "ada"])
        for _ in 0..<5 {
            fixture.time.advance(by: .seconds(11 * 60))
            let session = try #require(try await fixture.manager.load(id: id.rawValue))
            session.put("seen", true)
            try await session.save()
        }
        // Each save gave the store a deadline capped at the absolute end, an hour after creation.
        let stored = try #require(try await fixture.memory.read(id))
        #expect(stored.metadata.expiresAt == stored.metadata.createdAt.addingTimeInterval(3_600))
        fixture.time.advance(by: .seconds(6 * 60))
        #expect(try await fixture.manager.load(id: id.rawValue) == nil)
        #expect(try await fixture.memory.read(id) == nil, "the store kept the session past its absolute end")
    }

    @Test func closeClosesBuiltDrivers() async throws {
        let closed = Counter()
        let manager = try SessionManager()
        manager.extend("closing") { _ in ClosingDriver(closed: closed) }
        _ = try await manager.driver("closing")
        await manager.close()
        #expect(closed.value == 1)
    }

    @Test func lotteryGCRunsOffThePathAtMostOncePerInterval() async throws {
        let fixture = try Fixture {
            $0.lottery = .init(chances: 1, outOf: 1)
            $0.gcMinInterval = .seconds(60)
        }
        for _ in 0..<20 { fixture.manager.collectGarbageByLottery() }
        await fixture.manager.waitForGarbageCollection()
        #expect(fixture.probe.calls("gc") == 1)
        fixture.time.advance(by: .seconds(61))
        fixture.manager.collectGarbageByLottery()
        await fixture.manager.waitForGarbageCollection()
        #expect(fixture.probe.calls("gc") == 2)
        #expect(fixture.events.all.contains(.garbageCollected(driver: "probe", removed: 0)))
    }

    @Test func lotteryThatNeverWinsNeverRuns() async throws {
        let fixture = try Fixture { $0.lottery = .init(chances: 0, outOf: 100) }
        for _ in 0..<100 { fixture.manager.collectGarbageByLottery() }
        await fixture.manager.waitForGarbageCollection()
        #expect(fixture.probe.calls("gc") == 0)
    }

    @Test func lotteryDrawsAreEvenlySpread() throws {
        let manager = try SessionManager()
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<100_000 { counts[manager.drawLottery(outOf: 100)] += 1 }
        // Each value expects 1,000 draws; a fair generator stays well inside 800...1,200.
        #expect(counts.allSatisfy { (800...1_200).contains($0) }, "\(counts.min() ?? 0)...\(counts.max() ?? 0)")
        #expect(manager.drawLottery(outOf: 1) == 0)
        #expect(manager.drawLottery(outOf: 0) == 0)
    }

    @Test func managerDriverCacheUnderManyTasks() async throws {
        let manager = try SessionManager()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let session = try await manager.buildSession(driver: "memory")
                    session.put("n", index)
                    try await session.save()
                    let loaded = try await manager.load(id: session.id.rawValue, driver: "memory")
                    #expect(loaded?.get("n") == index)
                }
            }
            try await group.waitForAll()
        }
    }
}

struct Weird: Codable, Sendable {
    var value: Double
}

final class Counter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

struct ClosingDriver: SessionDriver {
    let closed: Counter
    func read(_ id: SessionIdentifier) async throws -> StoredSession? { nil }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {}
    func destroy(_ id: SessionIdentifier) async throws {}
    func gc() async throws -> Int { 0 }
    func close() async throws { closed.increment() }
}
