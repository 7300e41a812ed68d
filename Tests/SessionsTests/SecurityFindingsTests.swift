import Foundation
import Testing

@testable import Sessions

/// The findings of the security review (issue 16) that live in the core, each with the test that
/// failed before its fix.
@Suite struct SecurityFindingsTests {
    /// A dynamic value nested `levels` arrays deep around `secret`.
    static func nested(_ levels: Int, around secret: String) -> SessionValue {
        (0..<levels).reduce(SessionValue.string(secret)) { inner, _ in .array([inner]) }
    }

    @Test func aValueTooDeepToLoadIsRefusedAtSaveNotStoredToBrickTheSession() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("ok", Self.nested(ValueCodec.maximumDepth - 1, around: "deepest allowed"))
        try await session.save()
        let loaded = try #require(try await fixture.manager.load(id: session.id.rawValue), "a value at the depth limit bricked the session")
        #expect(loaded.get("ok") == Self.nested(ValueCodec.maximumDepth - 1, around: "deepest allowed"))

        loaded.put("too_deep", Self.nested(ValueCodec.maximumDepth, around: "hunter2"))
        let error = await #expect(throws: SessionError.self) { try await loaded.save() }
        guard case .unencodable(let key, let reason) = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(key == "too_deep")
        #expect(reason == "nested more than \(ValueCodec.maximumDepth) levels deep")
        #expect(!reason.contains("hunter2"))
        // The store still holds a session every load can read.
        #expect(try await fixture.manager.load(id: session.id.rawValue)?.get("ok", as: SessionValue.self) != nil)
    }

    @Test func anUnencodableValueIsNotCopiedIntoTheError() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("card", Weird(value: .nan))
        let error = await #expect(throws: SessionError.self) { try await session.save() }
        let message = String(describing: error)
        #expect(message.contains("card"), "the error does not name the key: \(message)")
        // The encoder's own words ("Unable to encode Double.nan directly in JSON") and the coding
        // path, not a dump of the value (`invalidValue(<value>, Context(…))`).
        #expect(!message.contains("invalidValue"), "the error carries the value: \(message)")
        #expect(!message.contains("Context("), "the error carries the value: \(message)")
    }

    @Test func anIDShowsOnlyItsFingerprintUnlessItsRawValueIsAskedFor() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("user", "ada")
        try await session.save()
        let id = session.id
        let raw = id.rawValue
        var dumped = ""
        dump(id, to: &dumped)
        let shown = ["\(id)", "\(session.id)", String(describing: id), String(reflecting: id), id.description, dumped, "\([id])"]
        for text in shown {
            #expect(!text.contains(raw), "the raw ID shows in \(text)")
            #expect(text.contains(SessionFingerprint(id).description), "\(text) does not name the session")
        }
        #expect(raw.count == SessionIdentifier.length)
        #expect(SessionIdentifier(rawValue: raw) == id)
        #expect(SessionIdentifier(rawValue: raw + "x") == nil)
        #expect(try await fixture.manager.load(id: raw)?.id == id)
    }

    @Test func aLogoutLeavesAnAuditEvent() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["user": "ada"])
        let started = try await fixture.lifecycle.start(cookieHeaders: ["swift_session=\(id.rawValue)"])
        started.session.invalidate()
        _ = try await fixture.lifecycle.finish(started, status: 200)
        #expect(fixture.events.all.contains(.invalidated(SessionFingerprint(id))), "a logout raised no event: \(fixture.events.all)")

        // A sign-in (regenerate) is not a logout.
        let other = try await fixture.storedSession(["user": "bob"])
        let signIn = try await fixture.lifecycle.start(cookieHeaders: ["swift_session=\(other.rawValue)"])
        signIn.session.regenerate()
        _ = try await fixture.lifecycle.finish(signIn, status: 200)
        #expect(!fixture.events.all.contains(.invalidated(SessionFingerprint(other))))
    }

    @Test func anInsecureCookieBeyondThisMachineIsWarnedAbout() throws {
        var config = SessionConfig()
        for host in ["127.0.0.1", "127.8.9.1", "localhost", "::1", "[::1]"] {
            #expect(config.deploymentWarning(listeningOn: host) == nil, "\(host) is this machine")
        }
        for host in ["0.0.0.0", "::", "10.0.0.5", "example.com", "127.0.0.1.example.com"] {
            #expect(config.deploymentWarning(listeningOn: host)?.contains("SESSION_SECURE=true") == true, "\(host) got no warning")
        }
        config.secure = true
        #expect(config.deploymentWarning(listeningOn: "0.0.0.0") == nil)
    }
}
