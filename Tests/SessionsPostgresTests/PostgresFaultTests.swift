#if Postgres
import Foundation
import Synchronization
import Sessions
import SessionsPostgres
import Testing

/// A cluster of the test's own, stopped and started under a running manager: calls answer
/// `unavailable` within the timeouts, the outage is reported once, and the same sessions come
/// back with the database.
@Suite(.enabled(if: PostgresCluster.script != nil || PostgresTestDatabase.isCI, "no PostgreSQL server installed (apt-get install postgresql)"))
struct PostgresFaultTests {
    @Test func aStoppedDatabaseAnswersUnavailableInTimeAndTheSameSessionsComeBack() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-fault-\(UUID().uuidString.prefix(8))").path
        let port = String(Int.random(in: 56_000...56_999))
        try PostgresCluster.run(["start", folder, port])
        let url = PostgresCluster.url(port: port)
        defer {
            try? PostgresCluster.run(["stop", folder])
            try? FileManager.default.removeItem(atPath: folder)
        }
        var config = SessionConfig()
        config.driver = "database"
        config[PostgresSessionDriver.urlSetting] = url
        config[PostgresSessionDriver.connectTimeoutSetting] = .seconds(2)
        config[PostgresSessionDriver.statementTimeoutSetting] = .seconds(2)
        let events = Events()
        let manager = try SessionManager(config: config, observer: { events.append($0) }).extendPostgres()
        try await manager.open()
        let session = try await manager.buildSession()
        session.put("user", "ada")
        try await session.save()

        try PostgresCluster.run(["stop", folder])
        let clock = ContinuousClock()
        for _ in 0..<3 {
            let began = clock.now
            await #expect(throws: SessionError.self) { _ = try await manager.load(id: session.id.rawValue) }
            #expect(clock.now - began < .seconds(6), "a call to a stopped database (limit 4 s) took \(clock.now - began)")
        }
        let outages = events.all.filter { if case .storeUnavailable = $0 { true } else { false } }
        #expect((1...2).contains(outages.count), "3 failing calls reported \(outages.count) outages: \(outages)")
        #expect(!events.all.contains { if case .storeError = $0 { true } else { false } }, "an unavailable store was reported per call")

        try PostgresCluster.run(["restart", folder])
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

/// `scripts/postgres-cluster`, for tests that stop and start a cluster of their own.
enum PostgresCluster {
    static let script: String? = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/postgres-cluster").standardized.path
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.isEmpty == false
        return installed ? script : nil
    }()

    /// Runs `scripts/postgres-cluster` with `arguments`, its output to a file (the server it
    /// starts outlives it, so a pipe would never reach its end).
    static func run(_ arguments: [String]) throws {
        let script = try #require(script, "CI is set but no PostgreSQL server is installed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "postgres-cluster \(arguments) failed")
    }

    /// The URL of the cluster `start` made on `port`.
    static func url(port: String) -> String {
        "postgres://sessions:sessions@127.0.0.1:\(port)/sessions?sslmode=disable"
    }
}

/// Events a manager reported, in order.
final class Events: Sendable {
    private let list = Mutex<[SessionEvent]>([])
    func append(_ event: SessionEvent) { list.withLock { $0.append(event) } }
    var all: [SessionEvent] { list.withLock { $0 } }
}
#endif
