import Foundation
import Synchronization
import Testing

@testable import Sessions
import SessionsConformance

@Suite struct MemorySessionDriverTests {
    /// How many sessions the `evicted` events in `events` report.
    static func evictedCount(_ events: EventLog) -> Int {
        events.all.reduce(0) { total, event in
            if case .evicted(_, let count) = event { total + count } else { total }
        }
    }

    @Test func capEvictsTheLeastRecentlyActiveAndReportsIt() async throws {
        let events = EventLog()
        let time = ManualClock()
        let driver = MemorySessionDriver(maximumSessions: 10, clock: time.clock, report: events.observer)
        let ids = (0..<10).map { _ in SessionIdentifier.random() }
        for id in ids {
            try await driver.write(id, payload: [1], at: time.now)
            time.advance(by: .seconds(1))
        }
        // Recently read sessions get a second chance.
        for id in ids[0..<5] { _ = try await driver.read(id) }
        for _ in 0..<5 { try await driver.write(.random(), payload: [2], at: time.now) }
        #expect(driver.count == 10)
        for id in ids[0..<5] { #expect(try await driver.read(id) != nil, "a recently read session was evicted") }
        for id in ids[5...] { #expect(try await driver.read(id) == nil) }
        let evicted = Self.evictedCount(events)
        #expect(evicted == 5)
    }

    @Test func aFloodOfNewSessionsThatNeverReturnEvictsNoReturningUser() async throws {
        let events = EventLog()
        let time = ManualClock()
        let driver = MemorySessionDriver(maximumSessions: 1_000, clock: time.clock, report: events.observer)
        let users = (0..<100).map { _ in SessionIdentifier.random() }
        for user in users {
            try await driver.write(user, payload: [1], at: time.now)
            _ = try await driver.read(user)  // the user's next request presents the cookie
        }
        // 10× the cap of cookieless visitors, in rounds of twice the cap between the users'
        // visits: a plain LRU (or CLOCK) cycles through the whole store twice between them.
        for round in 0..<5 {
            for _ in 0..<2_000 { try await driver.write(.random(), payload: [0], at: time.now) }
            for user in users {
                #expect(try await driver.read(user) != nil, "round \(round): a returning user's session was evicted")
            }
            time.advance(by: .seconds(60))
        }
        #expect(driver.count <= 1_000)
        let evicted = Self.evictedCount(events)
        #expect(evicted == 10_000 + 100 - 1_000, "the flood evicted its own sessions, one per insert past the cap")
    }

    @Test func regularSessionsAreEvictedOnceProbationIsDownToItsFloor() async throws {
        let driver = MemorySessionDriver(maximumSessions: 10)
        let regulars = (0..<10).map { _ in SessionIdentifier.random() }
        for id in regulars {
            try await driver.write(id, payload: [1], at: Date())
            _ = try await driver.read(id)
        }
        // Nothing on probation: a new session makes room among the regulars, least recently
        // used first (the first eight are read again, so the hand passes them).
        for id in regulars[0..<8] { _ = try await driver.read(id) }
        try await driver.write(.random(), payload: [2], at: Date())
        #expect(driver.count == 10)
        for id in regulars[0..<8] { #expect(try await driver.read(id) != nil) }
        let left = try await [driver.read(regulars[8]), driver.read(regulars[9])].compactMap { $0 }
        #expect(left.count == 1, "one of the two idle regulars made room")
    }

    @Test func floodOfNewVisitorsStaysWithinTheCap() async throws {
        let driver = MemorySessionDriver(maximumSessions: 5000)
        for _ in 0..<50_000 { try await driver.write(.random(), payload: [0], at: Date()) }
        #expect(driver.count <= 5000 + 64)
        #expect(driver.count >= 4900)
    }

    @Test func destroyChurnDoesNotGrowTheQueue() async throws {
        let driver = MemorySessionDriver(maximumSessions: 100)
        for _ in 0..<20_000 {
            let id = SessionIdentifier.random()
            try await driver.write(id, payload: [0], at: Date())
            try await driver.destroy(id)
        }
        #expect(driver.count == 0)
    }

    @Test func hammeredFromManyTasks() async throws {
        let driver = MemorySessionDriver(maximumSessions: 1_000_000)
        let ids = (0..<64).map { _ in SessionIdentifier.random() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for step in 0..<2000 {
                        let id = ids[(worker * 7 + step) % ids.count]
                        switch step % 4 {
                        case 0: try await driver.write(id, payload: [UInt8(worker)], at: Date())
                        case 1: _ = try await driver.read(id)
                        case 2: _ = try await driver.touch(id, metadata: .lasting(.seconds(3_600), from: Date()))
                        default: _ = try await driver.gc()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        for id in ids {
            if let stored = try await driver.read(id) { #expect(stored.payload.count == 1) }
        }
    }
}

/// A custom driver with only Goravel's verbs (plus nothing else) keeps working through the
/// default `open`, `close` and `touch`.
struct SixVerbDriver: SessionDriver {
    let inner: MemorySessionDriver
    func read(_ id: SessionIdentifier) async throws -> StoredSession? { try await inner.read(id) }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        try await inner.write(id, payload: payload, metadata: metadata)
    }
    func destroy(_ id: SessionIdentifier) async throws { try await inner.destroy(id) }
    func gc() async throws -> Int { try await inner.gc() }
}

@Suite struct ConformanceTests {
    static let everyCheck = SessionDriverConformance.Tier.allCases.flatMap { SessionDriverConformance.Check.all(in: $0) }

    @Test(arguments: everyCheck, [false, true])
    func memoryDriver(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        try await SessionDriverConformance { MemorySessionDriver(context: $0) }.run(check, throughWrapper: throughWrapper)
    }

    @Test func aWrapperThatHidesACapabilityFailsItsTier() async throws {
        let suite = SessionDriverConformance { HidingWrapper(inner: MemorySessionDriver(context: $0)) }
        await #expect(throws: ConformanceFailure.self) { try await suite.run(tier: .locking) }
        try await suite.run(tier: .atomic)
        try await suite.run(tier: .atomic, throughWrapper: true)
    }

    @Test func basicDriverFailsTheAtomicTier() async throws {
        let suite = SessionDriverConformance { SixVerbDriver(inner: MemorySessionDriver(context: $0)) }
        await #expect(throws: ConformanceFailure.self) { try await suite.run(tier: .atomic) }
    }

    @Test(arguments: everyCheck, [false, true])
    func fileDriver(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await SessionDriverConformance { context in
            var context = context
            context[FileSessionDriver.folderSetting] = folder
            return FileSessionDriver(context: context)
        }.run(check, throughWrapper: throughWrapper)
    }

    @Test(arguments: SessionDriverConformance.Check.basic)
    func sixVerbCustomDriver(check: SessionDriverConformance.Check) async throws {
        try await SessionDriverConformance { SixVerbDriver(inner: MemorySessionDriver(context: $0)) }.run(check)
    }

    @Test func aBrokenDriverFailsTheSuite() async throws {
        let suite = SessionDriverConformance { _ in ForgetfulDriver() }
        await #expect(throws: ConformanceFailure.self) { try await suite.run(tier: .basic) }
    }
}

/// A wrapper that says plainly it offers no session locks, whatever its inner driver has.
struct HidingWrapper: SessionDriverWrapper {
    let inner: any SessionDriver
    var capabilities: SessionDriverCapabilities { inner.capabilities.subtracting(.sessionLocks) }
}

/// Never stores anything: the conformance suite must catch it.
struct ForgetfulDriver: SessionDriver {
    func read(_ id: SessionIdentifier) async throws -> StoredSession? { nil }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {}
    func destroy(_ id: SessionIdentifier) async throws {}
    func gc() async throws -> Int { 0 }
}
