import Foundation
import Testing

@testable import Sessions

/// Behaviours of Goravel's session_test.go and Laravel's SessionStoreTest, ported.
@Suite struct SessionDataTests {
    let fixture: Fixture

    init() throws { fixture = try Fixture() }

    func session() async throws -> Session { try await fixture.manager.buildSession() }

    @Test func putAndGetOverwrite() async throws {
        let session = try await session()
        session.put("foo", "bar")
        #expect(session.get("foo") == "bar")
        session.put("foo", "baz")
        #expect(session.get("foo", as: String.self) == "baz")
        #expect(session.get("unknown", as: String.self) == nil)
        #expect(session.get("unknown", default: "fallback") == "fallback")
    }

    @Test func keysAreSorted() async throws {
        let session = try await session()
        #expect(session.keys().isEmpty)
        session.put(["zeta": 1, "alpha": 2, "mid": .null])
        #expect(session.keys() == ["alpha", "mid", "zeta"])
        session.forget("mid")
        #expect(session.keys() == ["alpha", "zeta"])
    }

    @Test func pullingOrForgettingAMissingKeyOnANewSessionCostsNothing() async throws {
        let started = try await fixture.lifecycle.start(cookieHeaders: [])
        #expect(started.session.pull("status", as: String.self) == nil)
        started.session.forget("a", "b")
        #expect(!started.session.isDirty, "forgetting missing keys marked a new session dirty")
        let headers = try await fixture.lifecycle.finish(started, status: 200)
        #expect(headers.value("Set-Cookie") == nil, "a first visit that only pulled a flash key got a cookie")
        #expect(fixture.probe.calls("write") == 0)
        let session = try await session()
        session.put("kept", 1)
        session.forget("kept", "missing")
        #expect(session.keys().isEmpty)
    }

    @Test func aSessionIsNewUntilTheStoreHoldsIt() async throws {
        let fresh = try await session()
        #expect(fresh.isNew)
        fresh.put("a", 1)
        try await fresh.save()
        #expect(fresh.isNew, "isNew changed during the request")
        let loaded = try #require(try await fixture.manager.load(id: fresh.id.rawValue))
        #expect(!loaded.isNew)
        let unknown = try await fixture.manager.buildSession(id: SessionIdentifier.random().rawValue)
        #expect(unknown.isNew)
    }

    @Test func putNilMakesKeyExistButNotHas() async throws {
        let session = try await session()
        session.put("nothing", String?.none)
        #expect(session.exists("nothing"))
        #expect(!session.has("nothing"))
        #expect(session.get("nothing", as: String.self) == nil)
        #expect(!session.exists("other"))
        #expect(session.missing("other"))
        #expect(!session.missing("nothing"))
    }

    @Test func putSeveralKeepsOthers() async throws {
        let session = try await session()
        session.put("kept", 1)
        session.put(["a": 1, "b": "two", "c": [1, 2]])
        #expect(session.get("kept") == 1)
        #expect(session.get("a") == 1)
        #expect(session.get("b") == "two")
        #expect(session.get("c", as: [Int].self) == [1, 2])
    }

    @Test func hasRequiresEveryKeyNonNull() async throws {
        let session = try await session()
        session.put(["foo": "bar", "nil": nil])
        #expect(session.has("foo"))
        #expect(!session.has("foo", "nil"))
        #expect(!session.has("foo", "missing"))
        #expect(session.hasAny("missing", "foo"))
        #expect(!session.hasAny("missing", "nil"))
        #expect(session.exists("foo", "nil"))
        #expect(session.missing("foo", "missing"))
    }

    @Test func pullReturnsValueThenDefaultThenNil() async throws {
        let session = try await session()
        session.put("foo", "bar")
        #expect(session.pull("foo", as: String.self) == "bar")
        #expect(session.pull("foo", default: "baz") == "baz")
        #expect(session.get("foo", as: String.self) == nil)
    }

    @Test func forgetOneOrSeveral() async throws {
        let session = try await session()
        session.put(["a": 1, "b": 2, "c": nil, "d": 4])
        session.forget("a")
        #expect(!session.exists("a"))
        session.forget("b", "c", "missing")
        #expect(session.all() == ["d": 4])
        session.forget(["d"])
        #expect(session.all().isEmpty)
    }

    @Test func flushEmptiesEverything() async throws {
        let session = try await session()
        session.put("foo", "bar")
        session.flash("status", "ok")
        _ = session.token
        session.flush()
        #expect(session.all().isEmpty)
        #expect(session.newFlashKeys.isEmpty)
        #expect(!session.validateToken(""))
    }

    @Test func allOnlyExcept() async throws {
        let session = try await session()
        session.put(["foo": "bar", "n": 1, "flag": true])
        #expect(session.all() == ["foo": "bar", "n": 1, "flag": true])
        #expect(session.only(["foo", "missing"]) == ["foo": "bar"])
        #expect(session.except(["foo"]) == ["n": 1, "flag": true])
    }

    @Test func incrementAndDecrement() async throws {
        let session = try await session()
        session.put("foo", 5)
        #expect(try session.increment("foo") == 6)
        #expect(try session.increment("foo", by: 4) == 10)
        #expect(try session.increment("bar") == 1)
        session.put("baz", 5)
        #expect(try session.decrement("baz") == 4)
        #expect(try session.decrement("baz", by: 4) == 0)
        #expect(try session.decrement("qux") == -1)
    }

    @Test func incrementCountsFromAnyIntegerFormAfterASave() async throws {
        let session = try await session()
        session.put(["dynamic": 5, "text": "5"])
        session.put("small", Int8(7))
        session.put("wide", UInt64(9))
        #expect(try session.increment("dynamic") == 6)
        #expect(try session.increment("small") == 8)
        #expect(try session.increment("wide") == 10)
        #expect(throws: SessionError.typeMismatch(key: "text", expected: "an integer")) { try session.increment("text") }
        try await session.save()

        let again = try await fixture.manager.buildSession(id: session.id.rawValue)
        #expect(try again.increment("dynamic") == 7)
        #expect(try again.increment("small") == 9)
        #expect(try again.increment("wide") == 11)
        #expect(throws: SessionError.typeMismatch(key: "text", expected: "an integer")) { try again.increment("text") }
    }

    @Test func incrementRejectsOtherTypesAndOverflow() async throws {
        let session = try await session()
        session.put("name", "Ada")
        #expect(throws: SessionError.typeMismatch(key: "name", expected: "an integer")) { try session.increment("name") }
        #expect(session.get("name") == "Ada")
        session.put("big", Int.max)
        #expect(throws: SessionError.overflow(key: "big")) { try session.increment("big") }
        #expect(throws: SessionError.overflow(key: "x")) { try session.decrement("x", by: Int.min) }
    }

    @Test func rememberComputesOnlyWhenMissing() async throws {
        let session = try await session()
        var calls = 0
        #expect(session.remember("foo") { calls += 1; return "bar" } == "bar")
        #expect(session.remember("foo") { calls += 1; return "other" } == "bar")
        #expect(calls == 1)
        session.put("null", String?.none)
        #expect(session.remember("null") { "filled" } == "filled")
    }

    @Test func pushAppendsAndKeepsElementTypes() async throws {
        let session = try await session()
        try session.push("languages", "Swift")
        try session.push("languages", "Go")
        #expect(session.get("languages", as: [String].self) == ["Swift", "Go"])
        session.put("mixed", [1, 2])
        try session.push("mixed", 3)
        #expect(session.get("mixed", as: [Int].self) == [1, 2, 3])
        session.put("scalar", 1)
        #expect(throws: SessionError.typeMismatch(key: "scalar", expected: "an array")) { try session.push("scalar", 2) }
    }

    @Test func wrongTypeReadsAsNil() async throws {
        let session = try await session()
        session.put("text", "abc")
        session.put("number", 42)
        #expect(session.get("text", as: Int.self) == nil)
        #expect(session.get("number", as: String.self) == nil)
        #expect(session.get("number", as: [String].self) == nil)
        #expect(session.get("text", as: Profile.self) == nil)
    }

    @Test func typedKeys() async throws {
        let session = try await session()
        session[.visits] = 3
        #expect(session[.visits] == 3)
        #expect(session.get("visits") == 3)
        session[.visits] = nil
        #expect(!session.exists("visits"))
    }

    @Test func everyCommonTypeRoundTripsThroughTheStore() async throws {
        let session = try await session()
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let profile = Profile(name: "Ada", tags: ["x"], joined: date, nested: .init(level: 3))
        session.put("string", "héllo ✓")
        session.put("int", -42)
        session.put("int8", Int8(-8))
        session.put("uint64", UInt64.max)
        session.put("double", 3.25)
        session.put("float", Float(1.5))
        session.put("bool", false)
        session.put("date", date)
        session.put("data", Data([0, 1, 255]))
        session.put("strings", ["a", "b"])
        session.put("dictionary", ["a": 1, "b": 2])
        session.put("nested", ["x": [1, 2], "y": [3]])
        session.put("optionals", [1, nil, 3] as [Int?])
        session.put("profile", profile)
        session.put("profiles", [profile])
        session.put("dynamic", ["k": ["v", 1, true, nil]] as SessionValue)
        try await session.save()

        let loaded = try #require(try await fixture.manager.load(id: session.id.rawValue))
        #expect(loaded.get("string") == "héllo ✓")
        #expect(loaded.get("int") == -42)
        #expect(loaded.get("int8", as: Int8.self) == -8)
        #expect(loaded.get("uint64", as: UInt64.self) == .max)
        #expect(loaded.get("double") == 3.25)
        #expect(loaded.get("float", as: Float.self) == 1.5)
        #expect(loaded.get("bool") == false)
        #expect(loaded.get("date") == date)
        #expect(loaded.get("data") == Data([0, 1, 255]))
        #expect(loaded.get("strings", as: [String].self) == ["a", "b"])
        #expect(loaded.get("dictionary", as: [String: Int].self) == ["a": 1, "b": 2])
        #expect(loaded.get("nested", as: [String: [Int]].self) == ["x": [1, 2], "y": [3]])
        #expect(loaded.get("optionals", as: [Int?].self) == [1, nil, 3])
        #expect(loaded.get("profile") == profile)
        #expect(loaded.get("profiles", as: [Profile].self) == [profile])
        #expect(loaded.get("dynamic", as: SessionValue.self) == ["k": ["v", 1, true, nil]])
        #expect(loaded.all()["profile"]?.dictionaryValue?["name"] == "Ada")
        #expect(loaded.all()["int"] == .int(-42))
        #expect(loaded.all()["date"] == .date(date))
    }

    @Test func putValueReadsTheSameBeforeAndAfterStorage() async throws {
        let session = try await session()
        session.put("small", Int8(5))
        #expect(session.get("small", as: Int.self) == 5)
        session.put("dictionary", ["name": "Ada", "tags": ["x"], "joined": .date(Date(timeIntervalSince1970: 0)), "nested": ["level": 1]] as SessionValue)
        #expect(session.get("dictionary", as: [String: SessionValue].self)?["name"] == "Ada")
    }
}

struct Profile: Codable, Sendable, Equatable {
    var name: String
    var tags: [String]
    var joined: Date
    var nested: Nested

    struct Nested: Codable, Sendable, Equatable {
        var level: Int
    }
}

extension SessionKey where Value == Int {
    static let visits = SessionKey("visits")
}
