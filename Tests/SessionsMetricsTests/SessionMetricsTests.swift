#if Metrics
import Foundation
import MetricsTestKit
import Sessions
import SessionsMetrics
import Synchronization
import Testing

/// The metrics a manager's events feed, read back from swift-metrics' test backend.
@Suite struct SessionMetricsTests {
    /// A memory-backed manager reporting to `metrics`, and the events forwarded past them.
    func manager(_ metrics: SessionMetrics, driver: (any SessionDriver)? = nil) throws -> (SessionManager, ForwardedEvents) {
        var config = SessionConfig()
        config.driver = "test"
        config.lottery = .init(chances: 0, outOf: 100)
        config.absoluteLifetime = .seconds(3_600)
        let forwarded = ForwardedEvents()
        let manager = try SessionManager(config: config, observer: metrics.observer(forwardingTo: forwarded.observer))
        let store = driver ?? MemorySessionDriver()
        manager.extend("test") { _ in store }
        return (manager, forwarded)
    }

    func total(_ backend: TestMetrics, _ label: String, _ dimensions: [(String, String)] = []) throws -> Int64 {
        try backend.expectCounter(label, dimensions).totalValue
    }

    @Test func aSessionsLifeIsCounted() async throws {
        let backend = TestMetrics()
        let (manager, forwarded) = try manager(SessionMetrics(factory: backend))
        let lifecycle = SessionLifecycle(manager: manager)

        // A visitor signs in (created, then regenerated), comes back, and signs out.
        let first = try await lifecycle.start(headers: [])
        first.session.put("cart", 1)
        let created = try await lifecycle.finish(first, status: 200)
        let cookie = HeaderField(name: "Cookie", value: "swift_session=\(first.session.id.rawValue)")
        let login = try await lifecycle.start(headers: [cookie])
        login.session.put("user", "ada")
        login.session.regenerate()
        _ = try await lifecycle.finish(login, status: 200)
        let signedIn = HeaderField(name: "Cookie", value: "swift_session=\(login.session.id.rawValue)")
        let logout = try await lifecycle.start(headers: [signedIn])
        logout.session.invalidate()
        _ = try await lifecycle.finish(logout, status: 200)
        #expect(created.reason == .newID)

        #expect(try total(backend, "sessions_started", [("new", "true")]) == 1)
        #expect(try total(backend, "sessions_started", [("new", "false")]) == 2)
        #expect(try total(backend, "sessions_created") == 1, "a regenerated or invalidated session counted as created")
        #expect(try total(backend, "sessions_regenerated") >= 1)
        #expect(try total(backend, "sessions_invalidated") == 1)
        #expect(try total(backend, "sessions_destroyed", [("reason", "invalidated")]) == 1)
        #expect(forwarded.count > 0, "events did not reach the next observer")
    }

    @Test func rejectedIDsAreCountedByReason() async throws {
        let backend = TestMetrics()
        let (manager, _) = try manager(SessionMetrics(factory: backend))
        let lifecycle = SessionLifecycle(manager: manager)
        for value in ["junk", String(repeating: "a", count: 300), SessionIdentifier.random().rawValue] {
            _ = try await lifecycle.start(headers: [HeaderField(name: "Cookie", value: "swift_session=\(value)")])
        }
        #expect(try total(backend, "sessions_rejected_ids", [("reason", "malformed")]) == 1)
        #expect(try total(backend, "sessions_rejected_ids", [("reason", "oversized")]) == 1)
        #expect(try total(backend, "sessions_rejected_ids", [("reason", "unknown")]) == 1)
    }

    @Test func everyStoreCallIsTimedAndFailuresAreCounted() async throws {
        let backend = TestMetrics()
        let store = BreakableDriver()
        let (manager, _) = try manager(SessionMetrics(factory: backend), driver: store)
        let session = try await manager.buildSession()
        session.put("x", 1)
        try await session.save()
        _ = try await manager.load(id: session.id.rawValue)
        store.broken.withLock { $0 = true }
        await #expect(throws: (any Error).self) { _ = try await manager.load(id: session.id.rawValue) }

        let reads = try backend.expectTimer("sessions_store_duration", [("driver", "test"), ("operation", "read")])
        #expect(reads.values.count == 2, "\(reads.values.count) reads timed")
        #expect(reads.values.allSatisfy { $0 >= 0 })
        let writes = try backend.expectTimer("sessions_store_duration", [("driver", "test"), ("operation", "write")])
        #expect(writes.values.count == 1)
        #expect(try total(backend, "sessions_store_errors", [("driver", "test"), ("operation", "read")]) == 1)
    }

    @Test func gcRemovalsAreCountedPerDriver() async throws {
        let backend = TestMetrics()
        let metrics = SessionMetrics(factory: backend)
        metrics.record(.garbageCollected(driver: "file", removed: 7))
        metrics.record(.garbageCollected(driver: "file", removed: 3))
        #expect(try total(backend, "sessions_gc_removed", [("driver", "file")]) == 10)
    }

    @Test func aPrefixRenamesEveryMetric() throws {
        let backend = TestMetrics()
        let metrics = SessionMetrics(prefix: "app_sessions", factory: backend)
        metrics.record(.sessionStarted(driver: "memory", isNew: true))
        #expect(try total(backend, "app_sessions_started", [("new", "true")]) == 1)
        #expect(throws: (any Error).self) { try backend.expectCounter("sessions_started", [("new", "true")]) }
    }
}

/// Counts the events the metrics observer forwarded.
final class ForwardedEvents: Sendable {
    private let events = Mutex(0)
    var count: Int { events.withLock { $0 } }
    var observer: SessionEventObserver { { _ in self.events.withLock { $0 += 1 } } }
}

/// A memory driver whose reads fail once told to.
final class BreakableDriver: SessionDriverWrapper {
    let inner: any SessionDriver = MemorySessionDriver()
    let broken = Mutex(false)
    struct Broken: Error {}
    func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        if broken.withLock({ $0 }) { throw Broken() }
        return try await inner.read(id)
    }
}
#endif
