import Foundation
import Testing

@testable import Sessions

/// Session values written as request header values (`Session.headerValue(_:forHeader:)`).
@Suite struct HeaderValueTests {
    func refusals(_ fixture: Fixture) -> [SessionEvent] {
        fixture.events.all.filter { if case .headerValueRefused = $0 { true } else { false } }
    }

    @Test func valuesAreWrittenTheDocumentedWay() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("text", "Ada Lovelace")
        session.put("int", 42)
        session.put("double", 1.5)
        session.put("bool", true)
        session.put("date", Date(timeIntervalSince1970: 1_796_298_000))
        session.put("data", Data([0xDE, 0xAD, 0xBE, 0xEF]))
        session.put("list", ["admin", "ops"])
        session.put("map", ["b": 2, "a": 1])
        session.put("nothing", String?.none)
        let written = ["text", "int", "double", "bool", "date", "data", "list", "map", "nothing", "missing"].map {
            session.headerValue($0, forHeader: "X-Value")
        }
        #expect(written == ["Ada Lovelace", "42", "1.5", "true", "2026-12-03T11:40:00Z", "3q2+7w==", #"["admin","ops"]"#, #"{"a":1,"b":2}"#, nil, nil])
        #expect(refusals(fixture).isEmpty, "a writable value was reported: \(refusals(fixture))")
    }

    @Test(arguments: ["one\r\nX-Injected: 1", "line\nbreak", "nul\u{0}", "tab\u{7F}del", " leading", "trailing\t", "naïve", ["naïve"]] as [SessionValue])
    func aValueAFieldMayNotHoldIsRefusedAndReported(_ value: SessionValue) async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("bad", value)
        #expect(session.headerValue("bad", forHeader: "X-Bad") == nil)
        #expect(refusals(fixture) == [.headerValueRefused(header: "X-Bad", key: "bad")])
    }

    @Test func spacesAndTabsInsideAreKept() async throws {
        let fixture = try Fixture()
        let session = try await fixture.manager.buildSession()
        session.put("name", "Ada\tKing Lovelace")
        #expect(session.headerValue("name", forHeader: "X-Name") == "Ada\tKing Lovelace")
    }
}
