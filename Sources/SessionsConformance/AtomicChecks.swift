import Foundation
import Sessions

/// The atomic tier: conditional writes and session locks, for drivers that declare them
/// (``SessionDriverCapabilities``).
enum AtomicChecks {
    typealias Harness = SessionDriverConformance.Harness

    static let all: [SessionDriverConformance.Check] = [
        check("a conditional create succeeds once") { h, driver in
            let id = SessionIdentifier.random()
            let first = try await driver.write(id, payload: h.payload("a"), metadata: h.metadata(), ifVersion: nil)
            guard case .written(let version) = first else { throw h.failure("create returned \(first)") }
            try h.expect(try await driver.read(id)?.version == version, "read does not return the written version")
            let second = try await driver.write(id, payload: h.payload("b"), metadata: h.metadata(), ifVersion: nil)
            try h.expect(second == .conflict, "a second create returned \(second)")
            try h.expect(try await driver.read(id)?.payload == h.payload("a"), "a failed create changed the payload")
        },
        check("a write with the read version succeeds, a stale one conflicts") { h, driver in
            let id = SessionIdentifier.random()
            try await h.write(id, h.payload("v1"))
            let loaded = try await h.require(try await driver.read(id), "written session not readable")
            let next = try await driver.write(id, payload: h.payload("v2"), metadata: h.metadata(), ifVersion: loaded.version)
            guard case .written(let version) = next else { throw h.failure("write with the current version returned \(next)") }
            try h.expect(version != loaded.version, "the version did not change")
            let stale = try await driver.write(id, payload: h.payload("v3"), metadata: h.metadata(), ifVersion: loaded.version)
            try h.expect(stale == .conflict, "a write with a stale version returned \(stale)")
            try h.expect(try await driver.read(id)?.payload == h.payload("v2"), "a stale write changed the payload")
        },
        check("a conditional write never brings back a destroyed or expired session") { h, driver in
            let destroyed = SessionIdentifier.random()
            try await h.write(destroyed, h.payload("x"))
            let version = try await h.require(try await driver.read(destroyed), "written session not readable").version
            try await driver.destroy(destroyed)
            let afterDestroy = try await driver.write(destroyed, payload: h.payload("y"), metadata: h.metadata(), ifVersion: version)
            try h.expect(afterDestroy == .missing, "a write after destroy returned \(afterDestroy)")
            try h.expect(try await driver.read(destroyed) == nil, "a destroyed session came back")

            let expired = SessionIdentifier.random()
            try await h.write(expired, h.payload("x"))
            let expiredVersion = try await h.require(try await driver.read(expired), "written session not readable").version
            h.time.advance(by: h.lifetime + .seconds(5))
            let afterExpiry = try await driver.write(expired, payload: h.payload("y"), metadata: h.metadata(), ifVersion: expiredVersion)
            try h.expect(afterExpiry == .missing, "a write after expiry returned \(afterExpiry)")
        },
        check("a conditional write stores its metadata and its own deadline") { h, driver in
            let id = SessionIdentifier.random()
            let metadata = h.metadata(lasting: .seconds(30), age: .seconds(90), userKey: "user-7")
            let created = try await driver.write(id, payload: h.payload("a"), metadata: metadata, ifVersion: nil)
            guard case .written(let version) = created else { throw h.failure("create returned \(created)") }
            let stored = try await h.require(try await driver.read(id), "written session not readable")
            try h.expect(stored.metadata.userKey == "user-7", "read returned the user key \(String(describing: stored.metadata.userKey))")
            try h.expect(h.agree(stored.metadata.createdAt, metadata.createdAt), "the creation time changed to \(stored.metadata.createdAt)")
            let longer = h.metadata(lasting: .seconds(300), userKey: "user-7")
            let next = try await driver.write(id, payload: h.payload("b"), metadata: longer, ifVersion: version)
            guard case .written = next else { throw h.failure("write with the current version returned \(next)") }
            h.time.advance(by: .seconds(60))
            try h.expect(try await driver.read(id)?.payload == h.payload("b"), "the session expired on the first write's deadline")
        },
        check("touch keeps the version, a plain write changes it") { h, driver in
            let id = SessionIdentifier.random()
            try await h.write(id, h.payload("x"))
            let first = try await h.require(try await driver.read(id), "written session not readable").version
            h.time.advance(by: .seconds(5))
            _ = try await h.touch(id)
            try h.expect(try await driver.read(id)?.version == first, "touch changed the version")
            try await h.write(id, h.payload("y"))
            try h.expect(try await driver.read(id)?.version != first, "a plain write kept the version")
        },
        check("concurrent read-increment-write loops lose no increment") { h, driver in
            let id = SessionIdentifier.random()
            try await h.write(id, h.payload("0"))
            let workers = 8
            let rounds = 25
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        for _ in 0..<rounds {
                            while true {
                                let stored = try await h.require(try await driver.read(id), "session vanished")
                                let count = Int(String(decoding: stored.payload, as: UTF8.self)) ?? -1_000_000
                                let result = try await driver.write(id, payload: Array(String(count + 1).utf8), metadata: h.metadata(), ifVersion: stored.version)
                                if case .written = result { break }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await driver.read(id).map { String(decoding: $0.payload, as: UTF8.self) }
            try h.expect(final == String(workers * rounds), "counted \(final ?? "nothing"), expected \(workers * rounds)")
        },
    ]

    static let locking: [SessionDriverConformance.Check] = [
        lockCheck("a session lock excludes a second holder until released") { h, driver in
            let id = SessionIdentifier.random()
            let first = try await driver.lock(id, lease: .seconds(30), wait: .seconds(1))
            do {
                _ = try await driver.lock(id, lease: .seconds(30), wait: .milliseconds(50))
                throw h.failure("a second lock was granted while the first was held")
            } catch SessionError.lockTimeout {}
            let other = try await driver.lock(.random(), lease: .seconds(30), wait: .milliseconds(50))
            await other.release()
            await first.release()
            let second = try await driver.lock(id, lease: .seconds(30), wait: .milliseconds(500))
            await second.release()
        },
        lockCheck("a session lock frees itself when its lease passes") { h, driver in
            let id = SessionIdentifier.random()
            _ = try await driver.lock(id, lease: .milliseconds(100), wait: .seconds(1))
            // A generous wait: the lease's expiry, not the wait, is what this checks.
            let next = try await driver.lock(id, lease: .seconds(30), wait: .seconds(10))
            await next.release()
        },
    ]

    private static func check(
        _ name: String,
        _ body: @escaping @Sendable (Harness, any SessionDriver) async throws -> Void
    ) -> SessionDriverConformance.Check {
        check(name, tier: .atomic, needing: .conditionalWrites, named: "conditionalWrites", body)
    }

    private static func lockCheck(
        _ name: String,
        _ body: @escaping @Sendable (Harness, any SessionDriver) async throws -> Void
    ) -> SessionDriverConformance.Check {
        check(name, tier: .locking, needing: .sessionLocks, named: "sessionLocks", body)
    }

    /// A check of `tier` that first fails unless the driver declares `capability`.
    private static func check(
        _ name: String,
        tier: SessionDriverConformance.Tier,
        needing capability: SessionDriverCapabilities,
        named capabilityName: String,
        _ body: @escaping @Sendable (Harness, any SessionDriver) async throws -> Void
    ) -> SessionDriverConformance.Check {
        SessionDriverConformance.Check(name: name, tier: tier) { h in
            guard h.driver.capabilities.contains(capability) else {
                throw h.failure("the driver's capabilities lack \(capabilityName)")
            }
            try await body(h, h.driver)
        }
    }
}
