import Foundation
import Sessions

/// The basic tier: the ``SessionDriver`` contract every driver must meet.
enum BasicChecks {
    typealias Harness = SessionDriverConformance.Harness

    static let all: [SessionDriverConformance.Check] = [
        check("read of a missing ID returns nil") { h in
            try h.expect(try await h.driver.read(.random()) == nil, "read of an unknown ID returned a session")
        },
        check("write then read returns the payload and its last activity") { h in
            let id = SessionIdentifier.random()
            try await h.driver.write(id, payload: h.payload("hello"))
            let stored = try await h.driver.read(id)
            try h.expect(stored?.payload == h.payload("hello"), "read returned \(String(describing: stored?.payload))")
            let drift = abs((stored?.lastActivity ?? .distantPast).timeIntervalSince(h.time.now))
            try h.expect(drift < 1, "lastActivity is \(drift) s away from the clock's time")
        },
        check("a second write replaces the payload") { h in
            let id = SessionIdentifier.random()
            try await h.driver.write(id, payload: h.payload("first"))
            try await h.driver.write(id, payload: h.payload("second"))
            try h.expect(try await h.driver.read(id)?.payload == h.payload("second"), "the first payload survived")
        },
        check("payloads are opaque bytes: empty, every byte value, 256 KiB") { h in
            let payloads: [[UInt8]] = [[], Array(0...255), [UInt8](repeating: 0xA5, count: 256 * 1024)]
            for payload in payloads {
                let id = SessionIdentifier.random()
                try await h.driver.write(id, payload: payload)
                try h.expect(try await h.driver.read(id)?.payload == payload, "a \(payload.count)-byte payload changed in the store")
            }
        },
        check("sessions are isolated from each other") { h in
            let first = SessionIdentifier.random()
            let second = SessionIdentifier.random()
            try await h.driver.write(first, payload: h.payload("one"))
            try await h.driver.write(second, payload: h.payload("two"))
            try await h.driver.destroy(first)
            try h.expect(try await h.driver.read(first) == nil, "destroy left the session readable")
            try h.expect(try await h.driver.read(second)?.payload == h.payload("two"), "destroying one session changed another")
        },
        check("destroy of a missing ID succeeds") { h in
            try await h.driver.destroy(.random())
        },
        check("a session is readable at its lifetime and gone just after") { h in
            let id = SessionIdentifier.random()
            try await h.driver.write(id, payload: h.payload("x"))
            h.time.advance(by: h.lifetime - .seconds(1))
            try h.expect(try await h.driver.read(id) != nil, "expired before its lifetime")
            h.time.advance(by: .seconds(3))
            try h.expect(try await h.driver.read(id) == nil, "still readable after its lifetime")
        },
        check("a write renews the idle expiry") { h in
            let id = SessionIdentifier.random()
            try await h.driver.write(id, payload: h.payload("x"))
            h.time.advance(by: h.lifetime - .seconds(10))
            try await h.driver.write(id, payload: h.payload("y"))
            h.time.advance(by: .seconds(20))
            try h.expect(try await h.driver.read(id)?.payload == h.payload("y"), "a rewritten session expired on its first write's schedule")
        },
        check("touch renews the idle expiry without changing the payload") { h in
            let id = SessionIdentifier.random()
            try await h.driver.write(id, payload: h.payload("kept"))
            h.time.advance(by: h.lifetime - .seconds(10))
            let touched = try await h.driver.touch(id)
            try h.expect(touched, "touch of a live session returned false")
            h.time.advance(by: .seconds(20))
            let stored = try await h.driver.read(id)
            try h.expect(stored?.payload == h.payload("kept"), "touched session expired or changed: \(String(describing: stored?.payload))")
            let drift = abs((stored?.lastActivity ?? .distantPast).timeIntervalSince(h.time.now.addingTimeInterval(-20)))
            try h.expect(drift < 1, "lastActivity did not move to the touch time (off by \(drift) s)")
        },
        check("touch never recreates a missing or expired session") { h in
            let missing = SessionIdentifier.random()
            try h.expect(try await h.driver.touch(missing) == false, "touch of a missing ID returned true")
            try h.expect(try await h.driver.read(missing) == nil, "touch created a missing session")
            let expired = SessionIdentifier.random()
            try await h.driver.write(expired, payload: h.payload("x"))
            h.time.advance(by: h.lifetime + .seconds(5))
            try h.expect(try await h.driver.touch(expired) == false, "touch of an expired session returned true")
            try h.expect(try await h.driver.read(expired) == nil, "touch revived an expired session")
        },
        check("gc removes expired sessions only and counts them") { h in
            let old = (0..<3).map { _ in SessionIdentifier.random() }
            for id in old { try await h.driver.write(id, payload: h.payload("old")) }
            h.time.advance(by: h.lifetime - .seconds(30))
            let fresh = SessionIdentifier.random()
            try await h.driver.write(fresh, payload: h.payload("fresh"))
            h.time.advance(by: .seconds(60))
            let removed = try await h.driver.gc()
            try h.expect(removed == 3, "gc removed \(removed) sessions, expected 3")
            try h.expect(try await h.driver.read(fresh)?.payload == h.payload("fresh"), "gc removed a live session")
            try h.expect(try await h.driver.gc() == 0, "a second gc found more to remove")
        },
        check("gc of an empty store returns 0") { h in
            try h.expect(try await h.driver.gc() == 0, "gc of an empty store removed something")
        },
        check("concurrent writes of distinct sessions all land") { h in
            let ids = (0..<100).map { _ in SessionIdentifier.random() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask { try await h.driver.write(id, payload: Array("value-\(index)".utf8)) }
                }
                try await group.waitForAll()
            }
            for (index, id) in ids.enumerated() {
                try h.expect(try await h.driver.read(id)?.payload == Array("value-\(index)".utf8), "session \(index) of 100 lost its write")
            }
        },
    ]

    private static func check(_ name: String, _ body: @escaping @Sendable (Harness) async throws -> Void) -> SessionDriverConformance.Check {
        SessionDriverConformance.Check(name: name, tier: .basic, body: body)
    }
}
