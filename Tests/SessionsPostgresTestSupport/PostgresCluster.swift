#if Postgres
import Foundation
import Testing

/// A PostgreSQL cluster of a test's own, from `scripts/postgres-cluster`: for tests that stop and
/// start the database under a running app.
package struct PostgresCluster: Sendable {
    /// The script, or nil when no PostgreSQL server is installed.
    package static let script: String? = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/postgres-cluster").standardized.path
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.isEmpty == false
        return installed ? script : nil
    }()

    /// Why tests needing a cluster of their own skip (they fail instead when `CI` is set).
    package static let skipReason: Comment = "no PostgreSQL server installed (apt-get install postgresql)"
    /// Whether such tests run: with a server installed, or on CI (where a missing one fails them).
    package static let runs = script != nil || PostgresTestDatabase.isCI

    /// The cluster's folder.
    package let folder: String
    /// Its URL (role, password and database `sessions`, on 127.0.0.1).
    package let url: String

    /// Starts a cluster in a new temporary folder on a random port, runs `body`, then stops and
    /// removes it.
    package static func withCluster<Value>(_ body: (PostgresCluster) async throws -> Value) async throws -> Value {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-cluster-\(UUID().uuidString.prefix(8))").path
        let port = Int.random(in: 56_000...56_999)
        let cluster = PostgresCluster(folder: folder, url: "postgres://sessions:sessions@127.0.0.1:\(port)/sessions?sslmode=disable")
        do {
            try await run(["start", folder, String(port)])
            let value = try await body(cluster)
            await cluster.remove()
            return value
        } catch {
            await cluster.remove()
            throw error
        }
    }

    /// Stops the server (fast shutdown: open connections are cut).
    package func stop() async throws { try await Self.run(["stop", folder]) }

    /// Starts the stopped server again on its port.
    package func restart() async throws { try await Self.run(["restart", folder]) }

    private func remove() async {
        try? await Self.run(["stop", folder])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `scripts/postgres-cluster` with `arguments`, its output to a file (the server it
    /// starts outlives it, so a pipe would never reach its end). It waits without holding a
    /// thread: `pg_ctl` takes seconds, and a blocked thread of the two a 2-core machine's
    /// concurrency pool has starves every other test running beside it.
    static func run(_ arguments: [String]) async throws {
        let script = try #require(script, "CI is set but no PostgreSQL server is installed")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try #require(status == 0, "postgres-cluster \(arguments) failed")
    }
}
#endif
