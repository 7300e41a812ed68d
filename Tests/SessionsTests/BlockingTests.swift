import Foundation
import Testing

@testable import Sessions

/// Laravel's `block`: requests of one session on a blocking route run one at a time.
@Suite struct BlockingTests {
    func lifecycle(driver: String = "memory") throws -> SessionLifecycle {
        var config = SessionConfig()
        config.driver = driver
        config.lottery = .init(chances: 0, outOf: 100)
        let manager = try SessionManager(config: config)
        manager.extend("basic") { SixVerbDriver(inner: MemorySessionDriver(context: $0)) }
        return SessionLifecycle(manager: manager)
    }

    func newSession(_ lifecycle: SessionLifecycle) async throws -> String {
        let started = try await lifecycle.start(cookieHeaders: [])
        started.session.put("balance", 100)
        _ = try await lifecycle.finish(started, status: 200)
        return started.session.id.rawValue
    }

    @Test func blockingSerialisesAWholeReadModifyWrite() async throws {
        let lifecycle = try lifecycle()
        let id = try await newSession(lifecycle)
        let blocking = SessionLifecycle.Blocking(lease: .seconds(5), wait: .seconds(5))
        // Each request reads the balance, waits, and writes balance - 10 as a value (not an
        // increment): without blocking, overlapping requests would both write 90.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    let started = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: blocking)
                    let balance = started.session.get("balance", default: 0)
                    try await Task.sleep(for: .milliseconds(20))
                    started.session.put("balance", balance - 10)
                    _ = try await lifecycle.finish(started, status: 200)
                }
            }
            try await group.waitForAll()
        }
        let after = try #require(try await lifecycle.manager.load(id: id))
        #expect(after.get("balance") == 50)
    }

    @Test func waitingTooLongFailsWithAClearError() async throws {
        let lifecycle = try lifecycle()
        let id = try await newSession(lifecycle)
        let holder = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(lease: .seconds(5), wait: .seconds(1)))
        let clock = ContinuousClock()
        let began = clock.now
        await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(100))) {
            _ = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(lease: .seconds(5), wait: .milliseconds(100)))
        }
        #expect(clock.now - began < .seconds(2))
        _ = try await lifecycle.finish(holder, status: 200)
        let next = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(wait: .milliseconds(200)))
        await lifecycle.abandon(next)
    }

    @Test func aTossedCookieAheadOfTheUsersDoesNotRouteAroundTheLock() async throws {
        let lifecycle = try lifecycle()
        let id = try await newSession(lifecycle)
        let holder = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(lease: .seconds(5), wait: .seconds(1)))
        let tossed = SessionIdentifier.random().rawValue
        await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(100)), "a request ran beside the lock holder") {
            _ = try await lifecycle.start(cookieHeaders: ["swift_session=\(tossed); swift_session=\(id)"], blocking: .init(wait: .milliseconds(100)))
        }
        _ = try await lifecycle.finish(holder, status: 200)
        let next = try await lifecycle.start(cookieHeaders: ["swift_session=\(tossed); swift_session=\(id)"], blocking: .init(wait: .milliseconds(200)))
        #expect(next.session.id.rawValue == id && next.session.get("balance") == 100, "the user's session was not the one read under the lock")
        await lifecycle.abandon(next)
    }

    @Test func anAbandonedRequestReleasesItsLock() async throws {
        let lifecycle = try lifecycle()
        let id = try await newSession(lifecycle)
        let first = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init())
        await lifecycle.abandon(first)
        let second = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(wait: .milliseconds(100)))
        _ = try await lifecycle.finish(second, status: 500)
        let third = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init(wait: .milliseconds(100)))
        await lifecycle.abandon(third)
    }

    @Test func newVisitorsNeedNoLock() async throws {
        let lifecycle = try lifecycle(driver: "basic")
        let started = try await lifecycle.start(cookieHeaders: [], blocking: .init())
        #expect(!started.session.isStored)
    }

    @Test func aDriverThatCannotLockSaysSo() async throws {
        let lifecycle = try lifecycle(driver: "basic")
        let id = try await newSession(lifecycle)
        await #expect(throws: SessionError.unsupported(driver: "basic", capability: "sessionLocks")) {
            _ = try await lifecycle.start(cookieHeaders: ["swift_session=\(id)"], blocking: .init())
        }
    }
}
