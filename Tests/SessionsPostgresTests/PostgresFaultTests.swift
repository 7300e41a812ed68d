#if Postgres
import Foundation
import Synchronization
import Sessions
import SessionsPostgres
import SessionsPostgresTestSupport
import Testing

/// A cluster of the test's own, stopped and started under a running manager: calls answer
/// `unavailable` within the timeouts, the outage is reported once, and the same sessions come
/// back with the database.
@Suite(.enabled(if: PostgresCluster.runs, PostgresCluster.skipReason))
struct PostgresFaultTests {
    @Test func aStoppedDatabaseAnswersUnavailableInTimeAndTheSameSessionsComeBack() async throws {
        try await PostgresCluster.withCluster { cluster in
            var config = SessionConfig()
            config.driver = "database"
            config[PostgresSessionDriver.urlSetting] = cluster.url
            config[PostgresSessionDriver.connectTimeoutSetting] = .seconds(3)
            config[PostgresSessionDriver.statementTimeoutSetting] = .seconds(3)
            let events = Events()
            let manager = try SessionManager(config: config, observer: { events.append($0) }).extendPostgres()
            try await manager.open()
            let session = try await manager.buildSession()
            session.put("user", "ada")
            try await session.save()

            try await cluster.stop()
            let clock = ContinuousClock()
            for _ in 0..<3 {
                let began = clock.now
                await #expect(throws: SessionError.self) { _ = try await manager.load(id: session.id.rawValue) }
                #expect(clock.now - began < .seconds(9), "a call to a stopped database (limit 6 s) took \(clock.now - began)")
            }
            let outages = events.all.filter { if case .storeUnavailable = $0 { true } else { false } }
            #expect((1...2).contains(outages.count), "3 failing calls reported \(outages.count) outages: \(outages)")
            #expect(!events.all.contains { if case .storeError = $0 { true } else { false } }, "an unavailable store was reported per call")

            try await cluster.restart()
            var loaded: Session?
            for _ in 0..<50 where loaded == nil {
                loaded = try? await manager.load(id: session.id.rawValue)
                if loaded == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(loaded?.get("user") == "ada", "the session did not come back with the database")
            #expect(events.all.contains(.storeRecovered(driver: "database")))
            await manager.close()
        }
    }
}

/// Events a manager reported, in order.
final class Events: Sendable {
    private let list = Mutex<[SessionEvent]>([])
    func append(_ event: SessionEvent) { list.withLock { $0.append(event) } }
    var all: [SessionEvent] { list.withLock { $0 } }
}
#endif
