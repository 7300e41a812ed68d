import Benchmark
import Fixtures
import Foundation
import Sessions
import SessionsConformance

// Micro benchmarks through the public API. Each measured loop runs `scaledIterations` (1,000)
// operations, so figures are per operation and the harness's own cost is divided away.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    roundTrip(driver: "memory")
    roundTrip(driver: "file")
    payload()
    flashAging()
    identifiers()
    newVisitorAtCap()
    garbageCollection()
    hostileForms()
}

/// Bytes of a stored payload, reported beside the timings (not scaled per iteration).
let encodedBytes = BenchmarkMetric.custom("Encoded size (bytes)", useScalingFactor: false)

/// 1. A returning user's request: start from the cookie, read and increment `count`, put one
/// key, finish (write + Set-Cookie decision).
func roundTrip(driver: String) {
    let folder = Fixtures.temporaryFolder("round-trip")
    let manager = Fixtures.manager(driver: driver, folder: folder)
    let lifecycle = SessionLifecycle(manager: manager)
    let returningUser = SessionIdentifier.random()
    let cookie = [HeaderField(name: "Cookie", value: "theme=dark; \(manager.config.cookie)=\(returningUser.rawValue)")]

    Benchmark("Round trip, \(driver) driver") { benchmark in
        for _ in benchmark.scaledIterations {
            let started = try await lifecycle.start(headers: cookie)
            let session = started.session
            blackHole(session.get("count", as: Int.self))
            blackHole(try session.increment("count"))
            session.put("last_seen", 1_800_000_000)
            blackHole(try await lifecycle.finish(started, status: 200))
        }
    } setup: {
        try await manager.driver().write(returningUser, payload: try await Fixtures.smallPayload(), metadata: Fixtures.metadata())
        guard try await manager.load(id: returningUser.rawValue) != nil else {
            throw FixtureError.unexpected("the returning user's session was not adopted")
        }
    } teardown: {
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// 2. A ~1 KB payload of 10 keys through a session and a memory driver, beside Foundation JSON.
func payload() {
    let manager = Fixtures.manager()
    let stored = SessionIdentifier.random()
    let withEncodedSize = Benchmark.Configuration(metrics: Benchmark.defaultConfiguration.metrics + [encodedBytes])

    Benchmark("Payload 1 KB encode: put 10 + save (ours)", configuration: withEncodedSize) { benchmark in
        let driver = try await manager.driver()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let session = try await manager.buildSession()
            Profile.sample.put(into: session)
            try await session.save()
            try await driver.destroy(session.id)  // keeps the store at one session
        }
        benchmark.stopMeasurement()
        benchmark.measurement(encodedBytes, try await Fixtures.profilePayload().count)
    }

    Benchmark("Payload 1 KB decode: load + get 10 (ours)") { benchmark in
        for _ in benchmark.scaledIterations {
            guard let session = try await manager.load(id: stored.rawValue) else { throw FixtureError.notStored }
            blackHole(Profile(reading: session))
        }
    } setup: {
        try await manager.driver().write(stored, payload: try await Fixtures.profilePayload(), metadata: Fixtures.metadata())
        guard let session = try await manager.load(id: stored.rawValue), Profile(reading: session) == Profile.sample else {
            throw FixtureError.unexpected("the profile did not come back equal")
        }
    }

    Benchmark("Payload 1 KB encode (Foundation JSONEncoder)", configuration: withEncodedSize) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONEncoder().encode(Profile.sample))
        }
        benchmark.measurement(encodedBytes, try JSONEncoder().encode(Profile.sample).count)
    }

    Benchmark("Payload 1 KB decode (Foundation JSONDecoder)") { benchmark in
        let data = try JSONEncoder().encode(Profile.sample)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try JSONDecoder().decode(Profile.self, from: data))
        }
    }

    // The baseline for the round trips and flash aging: what a store that keeps a session as one
    // JSON document pays per request for the small fixture, codec only.
    Benchmark("Small fixture decode + encode (Foundation JSON)") { benchmark in
        let data = try JSONEncoder().encode(SmallFixture.sample)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let decoded = try JSONDecoder().decode(SmallFixture.self, from: data)
            blackHole(try JSONEncoder().encode(decoded))
        }
    }
}

/// 3. A session holding the small fixture and 3 keys flashed by the previous request: one
/// request through the lifecycle (aging removes the 3 keys, so the session is rewritten). Each iteration first restores
/// the stored payload with one memory-driver `write` (included in the figure).
func flashAging() {
    let manager = Fixtures.manager()
    let lifecycle = SessionLifecycle(manager: manager)
    let id = SessionIdentifier.random()
    let cookie = [HeaderField(name: "Cookie", value: "swift_session=\(id.rawValue)")]

    Benchmark("Flash aging: one request, 3 flashed keys") { benchmark in
        let driver = try await manager.driver()
        let flashed = try await flashedPayload(manager)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await driver.write(id, payload: flashed, metadata: Fixtures.metadata())
            let started = try await lifecycle.start(headers: cookie)
            blackHole(try await lifecycle.finish(started, status: 200))
        }
    } setup: {
        try await manager.driver().write(id, payload: try await flashedPayload(manager), metadata: Fixtures.metadata())
        guard let session = try await manager.load(id: id.rawValue), session.oldFlashKeys.count == 3 else {
            throw FixtureError.unexpected("the session does not hold 3 flashed keys")
        }
        let started = try await lifecycle.start(headers: cookie)
        _ = try await lifecycle.finish(started, status: 200)
        guard session.oldFlashKeys.count == 3, started.session.oldFlashKeys.isEmpty, !started.session.has("status") else {
            throw FixtureError.unexpected("flash data did not age")
        }
    }
}

/// The small fixture with 3 keys flashed and saved once: the stored session holds them as the
/// previous request's flash data (visible on this request, removed at its save).
func flashedPayload(_ manager: SessionManager) async throws -> [UInt8] {
    // One request flashes the keys; its save ages them, so the stored session holds them as the
    // previous request's.
    let lifecycle = SessionLifecycle(manager: manager)
    let started = try await lifecycle.start(headers: [])
    let session = started.session
    Fixtures.putSmall(into: session)
    session.flash("status", "Profile saved!")
    session.flash("errors", ["email": "The email has already been taken."])
    session.flash("old_input", ["name": "Ada", "email": "ada@example.org"])
    _ = try await lifecycle.finish(started, status: 200)
    guard let stored = try await manager.driver().read(session.id) else { throw FixtureError.notStored }
    return stored.payload
}

/// 4. A new session ID in its text form, beside Foundation's UUID string.
func identifiers() {
    Benchmark("ID: SessionIdentifier.random().rawValue") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SessionIdentifier.random().rawValue)
        }
    }
    Benchmark("ID baseline: UUID().uuidString") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(UUID().uuidString)
        }
    }
}

/// 5. A flood of new visitors against a full memory store: every insert evicts one session.
func newVisitorAtCap() {
    let cap = 10_000
    let driver = MemorySessionDriver(maximumSessions: cap)

    Benchmark("New visitor, memory store at its cap (10,000): write + evict") { benchmark in
        let payload = try await Fixtures.smallPayload()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await driver.write(.random(), payload: payload, metadata: Fixtures.metadata())
        }
    } setup: {
        // The cap is split evenly over the shards, so fill well past it: every shard is full.
        let payload = try await Fixtures.smallPayload()
        for _ in 0..<(cap * 3) { try await driver.write(.random(), payload: payload, metadata: Fixtures.metadata()) }
        guard driver.count <= cap, driver.count > cap * 9 / 10 else {
            throw FixtureError.unexpected("the store holds \(driver.count) sessions")
        }
    }
}

/// 6. gc over 100,000 sessions that have all expired (a manual clock moves past the lifetime).
/// One gc per sample; filling the store is not measured.
func garbageCollection() {
    let sessions = 100_000
    let time = ManualClock()
    let lifetime = Duration.seconds(7200)  // the lifetime of Fixtures.metadata
    let folder = Fixtures.temporaryFolder("gc")
    let drivers: [(String, any SessionDriver, Int)] = [
        ("memory", MemorySessionDriver(maximumSessions: 4 * sessions, clock: time.clock), 5),
        ("file", FileSessionDriver(folder: folder, lifetime: lifetime, clock: time.clock), 2),
    ]
    for (name, driver, samples) in drivers {
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal],
            timeUnits: .microseconds,
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(1),
            maxIterations: samples
        )
        Benchmark("gc: 100,000 expired sessions, \(name) driver", configuration: configuration) { benchmark in
            let payload = try await Fixtures.smallPayload()
            for _ in 0..<sessions { try await driver.write(.random(), payload: payload, metadata: Fixtures.metadata(at: time.now)) }
            time.advance(by: lifetime + .seconds(1))
            benchmark.startMeasurement()
            let removed = try await driver.gc()
            benchmark.stopMeasurement()
            guard removed == sessions else { throw FixtureError.unexpected("gc removed \(removed) of \(sessions)") }
        } setup: {
            try await driver.open()
        } teardown: {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}

/// 8. The CSRF check's form readers on a hostile 1 MiB body: ~350,000 empty pairs before the
/// `_token` field (url-encoded), ~20,000 empty parts before the `_token` part (multipart).
/// One read of the whole body per sample, beside a baseline pass over the same bytes.
func hostileForms() {
    let mebibyte = 1 << 20
    let pairs = String(repeating: "a=&", count: mebibyte / 3) + "_token=t"
    let percentPairs = String(repeating: "%5F=&", count: mebibyte / 5) + "_token=t"
    let partHead = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n"
    let parts = Array((String(repeating: partHead, count: mebibyte / partHead.utf8.count)
        + "--B\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\nt\r\n--B--\r\n").utf8)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 20
    )
    let cases: [(String, @Sendable () -> String?)] = [
        ("url-encoded, 350k empty pairs", { URLEncodedForm.firstValue(named: "_token", in: pairs) }),
        ("url-encoded, 210k percent-encoded keys", { URLEncodedForm.firstValue(named: "_token", in: percentPairs) }),
        ("multipart, empty parts", { MultipartForm.firstValue(named: "_token", in: parts, boundary: "B") }),
    ]
    for (label, read) in cases {
        Benchmark("Hostile 1 MiB form: \(label)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                guard read() == "t" else { throw FixtureError.unexpected("the _token field was not found") }
            }
        }
    }
    Benchmark("Hostile 1 MiB form baseline: count the & bytes", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pairs.utf8.reduce(0) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 })
        }
    }
}
