import Foundation
import Testing

@testable import Sessions

/// A store that is down is reported when the outage begins, when its reason changes and when
/// it ends: not once per failing request.
@Suite struct StoreOutageTests {
    @Test func anOutageIsReportedOnceAsItBeginsChangesAndEnds() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession(["user": "ada"])
        fixture.probe.fail(["read"], throwing: SessionError.unavailable(reason: "connection refused"))
        for _ in 0..<20 {
            await #expect(throws: SessionError.unavailable(reason: "connection refused")) { _ = try await fixture.manager.load(id: id.rawValue) }
        }
        fixture.probe.fail(["read"], throwing: SessionError.unavailable(reason: "did not answer within 10 seconds"))
        for _ in 0..<5 { _ = try? await fixture.manager.load(id: id.rawValue) }
        fixture.probe.fail([])
        #expect(try await fixture.manager.load(id: id.rawValue)?.get("user") == "ada", "the session did not come back with the store")
        _ = try await fixture.manager.load(id: id.rawValue)
        let outage = fixture.events.all.filter {
            switch $0 {
            case .storeUnavailable, .storeRecovered, .storeError: true
            default: false
            }
        }
        #expect(outage == [
            .storeUnavailable(driver: "probe", reason: "connection refused"),
            .storeUnavailable(driver: "probe", reason: "did not answer within 10 seconds"),
            .storeRecovered(driver: "probe"),
        ])
    }

    @Test func otherFailuresAreStillReportedEachTime() async throws {
        let fixture = try Fixture()
        let id = try await fixture.storedSession()
        fixture.probe.fail(["read"])
        for _ in 0..<3 { _ = try? await fixture.manager.load(id: id.rawValue) }
        #expect(fixture.events.all.filter { if case .storeError = $0 { true } else { false } }.count == 3)
    }
}
