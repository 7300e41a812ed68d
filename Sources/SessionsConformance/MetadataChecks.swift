import Foundation
import Sessions

/// Basic-tier checks of per-session metadata: deadlines of their own, creation times, user keys.
enum MetadataChecks {
    static let all: [SessionDriverConformance.Check] = [
        BasicChecks.check("metadata round trips: creation time and user key, replaced by the next write") { h in
            let id = SessionIdentifier.random()
            for key in ["user-42", "ada@example.com", "Zoë 🚀", String(repeating: "k", count: 256)] {
                let metadata = h.metadata(age: .seconds(3_600), userKey: key)
                try await h.driver.write(id, payload: h.payload("x"), metadata: metadata)
                let stored = try await h.require(try await h.driver.read(id), "written session not readable")
                try h.expect(stored.metadata.userKey == key, "the user key \(key) came back as \(String(describing: stored.metadata.userKey))")
                try h.expect(h.agree(stored.metadata.createdAt, metadata.createdAt), "the creation time came back as \(stored.metadata.createdAt), written \(metadata.createdAt)")
            }
            try await h.write(id, "guest")
            try h.expect(try await h.driver.read(id)?.metadata.userKey == nil, "a write without a user key kept the previous one")
        },
        BasicChecks.check("two sessions with different lifetimes each expire at their own deadline") { h in
            let short = SessionIdentifier.random()
            let long = SessionIdentifier.random()
            try await h.write(short, "short", lasting: .seconds(60))
            try await h.write(long, "long", lasting: .seconds(3_600))
            h.time.advance(by: .seconds(61))
            try h.expect(try await h.driver.read(short) == nil, "the 60-second session outlived its deadline")
            try h.expect(try await h.driver.read(long) != nil, "the hour-long session expired with the 60-second one")
            h.time.advance(by: .seconds(3_538))
            try h.expect(try await h.driver.read(long) != nil, "the hour-long session expired before its deadline")
            h.time.advance(by: .seconds(2))
            try h.expect(try await h.driver.read(long) == nil, "the hour-long session outlived its deadline")
        },
        BasicChecks.check("gc removes a session at its own deadline, not the store's lifetime") { h in
            let short = SessionIdentifier.random()
            let long = SessionIdentifier.random()
            try await h.write(short, "short", lasting: .seconds(30))
            try await h.write(long, "long", lasting: h.lifetime * 3)
            h.time.advance(by: .seconds(31))
            let removed = try await h.driver.gc()
            try h.expect(removed == 1, "gc removed \(removed) sessions, expected the 30-second one only")
            h.time.advance(by: h.lifetime * 2)
            try h.expect(try await h.driver.gc() == 0, "gc removed a session before its own deadline")
            try h.expect(try await h.driver.read(long)?.payload == h.payload("long"), "the long session is gone before its deadline")
        },
        BasicChecks.check("touch moves only its own session, and keeps its creation time and user key") { h in
            let touched = SessionIdentifier.random()
            let other = SessionIdentifier.random()
            let metadata = h.metadata(lasting: .seconds(60), age: .seconds(500), userKey: "user-1")
            try await h.driver.write(touched, payload: h.payload("a"), metadata: metadata)
            try await h.write(other, "b", lasting: .seconds(60))
            h.time.advance(by: .seconds(30))
            try h.expect(try await h.touch(touched, lasting: .seconds(600)), "touch of a live session returned false")
            h.time.advance(by: .seconds(31))
            try h.expect(try await h.driver.read(other) == nil, "touching one session moved another's deadline")
            let stored = try await h.require(try await h.driver.read(touched), "the touched session expired on its old deadline")
            try h.expect(stored.metadata.userKey == "user-1", "touch lost the user key")
            try h.expect(h.agree(stored.metadata.createdAt, metadata.createdAt), "touch changed the creation time")
            try h.expect(stored.payload == h.payload("a"), "touch changed the payload")
        },
        BasicChecks.check("a touch can shorten a deadline") { h in
            let id = SessionIdentifier.random()
            try await h.write(id, "x", lasting: .seconds(3_600))
            try h.expect(try await h.touch(id, lasting: .seconds(10)), "touch of a live session returned false")
            h.time.advance(by: .seconds(11))
            try h.expect(try await h.driver.read(id) == nil, "the session outlived the deadline its touch gave it")
        },
    ]
}
