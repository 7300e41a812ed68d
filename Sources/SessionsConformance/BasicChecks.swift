import Foundation
import Sessions

/// The basic tier: the ``SessionDriver`` contract every driver must meet.
enum BasicChecks {
    typealias Harness = SessionDriverConformance.Harness

    static var all: [SessionDriverConformance.Check] { storage + expiry + MetadataChecks.all }

    /// Reading, writing and destroying.
    static let storage: [SessionDriverConformance.Check] = [
        check("read of a missing ID returns nil") { h in
            try h.expect(try await h.driver.read(.random()) == nil, "read of an unknown ID returned a session")
        },
        check("write then read returns the payload and its metadata") { h in
            let id = SessionIdentifier.random()
            let metadata = h.metadata()
            try await h.driver.write(id, payload: h.payload("hello"), metadata: metadata)
            let stored = try await h.driver.read(id)
            try h.expect(stored?.payload == h.payload("hello"), "read returned \(String(describing: stored?.payload))")
            try h.expect(h.agree(stored?.metadata.expiresAt, metadata.expiresAt), "read returned the deadline \(String(describing: stored?.metadata.expiresAt)), written \(metadata.expiresAt)")
            try h.expect(h.agree(stored?.metadata.createdAt, metadata.createdAt), "read returned the creation time \(String(describing: stored?.metadata.createdAt))")
            try h.expect(stored?.metadata.userKey == nil, "a session written without a user key has one")
        },
        check("a second write replaces the payload") { h in
            let id = SessionIdentifier.random()
            try await h.write(id, "first")
            try await h.write(id, "second")
            try h.expect(try await h.driver.read(id)?.payload == h.payload("second"), "the first payload survived")
        },
        check("payloads are opaque bytes: empty, every byte value, 256 KiB") { h in
            let payloads: [[UInt8]] = [[], Array(0...255), [UInt8](repeating: 0xA5, count: 256 * 1024)]
            for payload in payloads {
                let id = SessionIdentifier.random()
                try await h.write(id, payload)
                try h.expect(try await h.driver.read(id)?.payload == payload, "a \(payload.count)-byte payload changed in the store")
            }
        },
        check("sessions are isolated from each other") { h in
            let first = SessionIdentifier.random()
            let second = SessionIdentifier.random()
            try await h.write(first, "one")
            try await h.write(second, "two")
            try await h.driver.destroy(first)
            try h.expect(try await h.driver.read(first) == nil, "destroy left the session readable")
            try h.expect(try await h.driver.read(second)?.payload == h.payload("two"), "destroying one session changed another")
        },
        check("destroy of a missing ID succeeds") { h in
            try await h.driver.destroy(.random())
        },
        check("concurrent writes of distinct sessions all land") { h in
            let ids = (0..<100).map { _ in SessionIdentifier.random() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask { try await h.write(id, "value-\(index)") }
                }
                try await group.waitForAll()
            }
            for (index, id) in ids.enumerated() {
                try h.expect(try await h.driver.read(id)?.payload == Array("value-\(index)".utf8), "session \(index) of 100 lost its write")
            }
        },
    ]

    /// Deadlines, touch and gc.
    static let expiry: [SessionDriverConformance.Check] = [
        check("a session is readable at its deadline and gone just after") { h in
            let id = SessionIdentifier.random()
            try await h.write(id, "x")
            h.time.advance(by: h.lifetime - .seconds(1))
            try h.expect(try await h.driver.read(id) != nil, "expired before its deadline")
            h.time.advance(by: .seconds(1))
            try h.expect(try await h.driver.read(id) != nil, "expired exactly at its deadline")
            h.time.advance(by: .seconds(2))
            try h.expect(try await h.driver.read(id) == nil, "still readable after its deadline")
        },
        check("a write moves the deadline") { h in
            let id = SessionIdentifier.random()
            try await h.write(id, "x")
            h.time.advance(by: h.lifetime - .seconds(10))
            try await h.write(id, "y")
            h.time.advance(by: .seconds(20))
            try h.expect(try await h.driver.read(id)?.payload == h.payload("y"), "a rewritten session expired on its first write's deadline")
        },
        check("touch moves the deadline without changing the payload") { h in
            let id = SessionIdentifier.random()
            try await h.write(id, "kept")
            h.time.advance(by: h.lifetime - .seconds(10))
            let touched = try await h.touch(id)
            try h.expect(touched, "touch of a live session returned false")
            let deadline = h.metadata().expiresAt
            h.time.advance(by: .seconds(20))
            let stored = try await h.driver.read(id)
            try h.expect(stored?.payload == h.payload("kept"), "touched session expired or changed: \(String(describing: stored?.payload))")
            try h.expect(h.agree(stored?.metadata.expiresAt, deadline), "touch did not move the deadline to \(deadline): \(String(describing: stored?.metadata.expiresAt))")
        },
        check("touch never recreates a missing or expired session") { h in
            let missing = SessionIdentifier.random()
            try h.expect(try await h.touch(missing) == false, "touch of a missing ID returned true")
            try h.expect(try await h.driver.read(missing) == nil, "touch created a missing session")
            let expired = SessionIdentifier.random()
            try await h.write(expired, "x")
            h.time.advance(by: h.lifetime + .seconds(5))
            try h.expect(try await h.touch(expired) == false, "touch of an expired session returned true")
            try h.expect(try await h.driver.read(expired) == nil, "touch revived an expired session")
        },
        check("gc removes expired sessions only and counts them") { h in
            let old = (0..<3).map { _ in SessionIdentifier.random() }
            for id in old { try await h.write(id, "old") }
            h.time.advance(by: h.lifetime - .seconds(30))
            let fresh = SessionIdentifier.random()
            try await h.write(fresh, "fresh")
            h.time.advance(by: .seconds(60))
            let removed = try await h.driver.gc()
            try h.expect(removed == 3, "gc removed \(removed) sessions, expected 3")
            try h.expect(try await h.driver.read(fresh)?.payload == h.payload("fresh"), "gc removed a live session")
            try h.expect(try await h.driver.gc() == 0, "a second gc found more to remove")
        },
        check("gc of an empty store returns 0") { h in
            try h.expect(try await h.driver.gc() == 0, "gc of an empty store removed something")
        },
    ]

    static func check(_ name: String, _ body: @escaping @Sendable (Harness) async throws -> Void) -> SessionDriverConformance.Check {
        SessionDriverConformance.Check(name: name, tier: .basic, body: body)
    }
}
