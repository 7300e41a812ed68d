import Foundation
import Testing

@testable import Sessions

/// The `lookup` setting: session IDs in request headers beside (or instead of) the cookie.
@Suite struct HeaderLookupTests {
    static let header = "X-Session-Id"

    /// A fixture whose lookup is `lookup`.
    func fixture(_ lookup: [SessionIDSource]) throws -> Fixture {
        try Fixture { $0.lookup = lookup }
    }

    @Test func theSettingReadsSourcesInOrderFromTheFileAndTheEnvironment() throws {
        let environment = ["SESSION_LOOKUP": " cookie , header:X-Session-Id "]
        let fromEnvironment = try SessionConfig.load(file: "", environment: environment)
        #expect(fromEnvironment.lookup == [.cookie, .header("X-Session-Id")])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (json, expected) in [
            (#"{"lookup": "header:X-Api-Session"}"#, [SessionIDSource.header("X-Api-Session")]),
            (#"{"lookup": ["header:X-Api-Session", "cookie"]}"#, [.header("X-Api-Session"), .cookie]),
        ] {
            let file = folder.appendingPathComponent("session.json").path
            try Data(json.utf8).write(to: URL(fileURLWithPath: file))
            #expect(try SessionConfig.load(file: file, environment: [:]).lookup == expected)
        }
        #expect(SessionConfig().lookup == [.cookie], "the default is the cookie alone")
    }

    @Test(arguments: ["", "cookie,cookie", "header:X-A,header:x-a", "header:", "header:X Session", "header:Set-Cookie",
                      "header:Cookie", "query:sid", "cookie,"])
    func aLookupTheSettingRefusesFailsNamingTheKey(_ text: String) throws {
        #expect {
            _ = try SessionConfig.load(file: "", environment: ["SESSION_LOOKUP": text])
        } throws: { error in
            "\(error)".contains("lookup") && "\(error)".contains("SESSION_LOOKUP")
        }
    }

    @Test func aLookupGivenInCodeIsHeldToTheSameRules() throws {
        let manager = try SessionManager()
        #expect(throws: SessionConfigError.self) { try SessionLifecycle(manager: manager, lookup: []) }
        #expect(throws: SessionConfigError.self) { try SessionLifecycle(manager: manager, lookup: [.header("Vary")]) }
        let api = try SessionLifecycle(manager: manager, lookup: [.header(Self.header), .cookie])
        #expect(api.vary == "X-Session-Id, Cookie")
        #expect(SessionLifecycle(manager: manager).vary == "Cookie")
    }

    @Test func aHeaderIDIsAdoptedAndANewIDGoesBackInTheHeaderWithoutACookie() async throws {
        let fixture = try fixture([.header(Self.header)])
        let id = try await fixture.storedSession(["user": "ada"])
        let started = try await fixture.lifecycle.start(headers: [HeaderField(name: "x-session-id", value: id.rawValue)])
        #expect(started.session.id == id)
        #expect(started.source == .header(Self.header))
        #expect(started.session.get("user") == "ada")
        started.session.regenerate()
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.reason == .newID)
        #expect(answer.setCookie == nil, "a header client got a cookie")
        let rotated = try #require(answer.idField)
        #expect(rotated.name == Self.header && rotated.value == started.session.id.rawValue && rotated.value != id.rawValue)
        #expect(answer.value("Cache-Control") == "no-store")
        #expect(answer.value("Vary") == Self.header)
    }

    @Test func aHeaderSessionSendsNothingWhenItsIDStaysOrNothingIsStored() async throws {
        let fixture = try fixture([.header(Self.header)])
        let id = try await fixture.storedSession()
        fixture.time.advance(by: .seconds(3_600))  // past the touch interval: a cookie would be renewed
        let started = try await fixture.lifecycle.start(headers: [HeaderField(name: Self.header, value: id.rawValue)])
        started.session.put("seen", true)
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.reason == .unchanged)
        #expect(answer.idField == nil && answer.setCookie == nil && answer.cacheControl == nil)

        let forged = try await fixture.lifecycle.start(headers: [HeaderField(name: Self.header, value: SessionIdentifier.random().rawValue)])
        let nothing = try await fixture.lifecycle.finish(forged, status: 200)
        #expect(nothing.reason == .notStored)
        #expect(nothing.fields == [HeaderField(name: "Vary", value: Self.header)], "an unknown header ID got \(nothing.fields)")
    }

    @Test func aForgedHeaderIDIsNeverAdopted() async throws {
        let fixture = try fixture([.header(Self.header)])
        let forged = SessionIdentifier.random()
        let started = try await fixture.lifecycle.start(headers: [HeaderField(name: Self.header, value: forged.rawValue)])
        #expect(started.session.isNew && started.session.id != forged)
        #expect(started.source == .header(Self.header), "a fresh session answers where the client sent its ID")
        started.session.put("cart", 1)
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.idField?.value == started.session.id.rawValue)
        #expect(try await fixture.memory.read(forged) == nil, "the forged ID was stored")

        let malformed = try await fixture.lifecycle.start(headers: [HeaderField(name: Self.header, value: "../../etc/passwd")])
        #expect(malformed.session.isNew)
        #expect(fixture.events.all.contains(.rejectedID(reason: .malformed)))
    }

    @Test func aCookieOnlyLookupIgnoresHeaderIDs() async throws {
        let fixture = try fixture([.cookie])
        let id = try await fixture.storedSession(["user": "ada"])
        let started = try await fixture.lifecycle.start(headers: [HeaderField(name: Self.header, value: id.rawValue)])
        #expect(started.session.isNew, "a header ID was adopted on a cookie-only lookup")
        #expect(started.source == .cookie)
        started.session.put("x", 1)
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.setCookie != nil && answer.idField == nil)
    }

    @Test func aHeaderOnlyLookupIgnoresTheCookie() async throws {
        let fixture = try fixture([.header(Self.header)])
        let id = try await fixture.storedSession(["user": "ada"])
        let started = try await fixture.lifecycle.start(cookieHeaders: ["swift_session=\(id.rawValue)"])
        #expect(started.session.isNew, "a cookie was adopted on a header-only lookup")
        started.session.put("x", 1)
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.setCookie == nil, "a header-only lookup sent a cookie")
        #expect(answer.idField?.name == Self.header)
    }

    @Test func aHeaderIDBesideADifferentCookieIDFollowsTheOrderAndNeverCrossesSources() async throws {
        let fixture = try fixture([.cookie, .header(Self.header)])
        let cookieUser = try await fixture.storedSession(["user": "cookie"])
        let headerUser = try await fixture.storedSession(["user": "header"])
        let both = [HeaderField(name: Self.header, value: headerUser.rawValue), HeaderField(name: "Cookie", value: "swift_session=\(cookieUser.rawValue)")]

        // Both live: the cookie comes first in this lookup.
        let started = try await fixture.lifecycle.start(headers: both)
        #expect(started.session.id == cookieUser && started.source == .cookie)
        started.session.regenerate()
        let answer = try await fixture.lifecycle.finish(started, status: 200)
        #expect(answer.idField == nil, "a cookie session's ID was echoed in a header")
        #expect(cookieID(answer.setCookie) == started.session.id.rawValue)
        #expect(answer.value("Vary") == "Cookie, X-Session-Id")
        #expect(try await fixture.manager.load(id: headerUser.rawValue)?.get("user") == "header", "the header's session changed")

        // A known live ID before an unknown one, whatever the order.
        let unknownCookie = [HeaderField(name: Self.header, value: headerUser.rawValue), HeaderField(name: "Cookie", value: "swift_session=\(SessionIdentifier.random().rawValue)")]
        let viaHeader = try await fixture.lifecycle.start(headers: unknownCookie)
        #expect(viaHeader.session.id == headerUser && viaHeader.source == .header(Self.header))
        viaHeader.session.regenerate()
        let headerAnswer = try await fixture.lifecycle.finish(viaHeader, status: 200)
        #expect(headerAnswer.setCookie == nil, "a header session got a cookie, or the unknown cookie a clearing one")
        #expect(headerAnswer.idField?.value == viaHeader.session.id.rawValue)

        // Reversed order: the header comes first.
        let reversed = try fixture.lifecycle(lookup: [.header(Self.header), .cookie])
        let other = try await fixture.storedSession(["user": "other"])
        let first = try await reversed.start(headers: [HeaderField(name: "Cookie", value: "swift_session=\(cookieUser.rawValue)"), HeaderField(name: Self.header, value: other.rawValue)])
        #expect(first.session.id == other && first.source == .header(Self.header))
    }
}

extension Fixture {
    /// A lifecycle over the fixture's manager with its own lookup.
    func lifecycle(lookup: [SessionIDSource]) throws -> SessionLifecycle {
        try SessionLifecycle(manager: manager, lookup: lookup)
    }
}
