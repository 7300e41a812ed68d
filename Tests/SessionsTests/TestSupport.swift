import Foundation
import Testing

@testable import Sessions
import SessionsConformance

/// Collects the events a manager reports.
final class EventLog: Sendable {
    private let events = Locked<[SessionEvent]>([])

    /// Every event but the per-request measurements (``SessionEvent/sessionStarted(driver:isNew:)``,
    /// ``SessionEvent/storeCall(driver:operation:duration:failed:)``), which only metrics tests read.
    var all: [SessionEvent] {
        everything.filter {
            switch $0 {
            case .sessionStarted, .storeCall: false
            default: true
            }
        }
    }

    /// Every event, in order.
    var everything: [SessionEvent] { events.withLock { $0 } }

    var observer: SessionEventObserver {
        { [self] event in self.events.withLock { $0.append(event) } }
    }
}

/// Wraps a driver, counts calls, and fails the operations it is told to.
final class ProbeDriver: SessionDriver {
    let inner: any SessionDriver
    private let state = Locked<(calls: [String: Int], failing: Set<String>, error: (any Error)?)>(([:], [], nil))

    init(_ inner: any SessionDriver) {
        self.inner = inner
    }

    func calls(_ operation: String) -> Int { state.withLock { $0.calls[operation, default: 0] } }
    /// Makes `operations` throw `error`, or ``ProbeError/injected(_:)`` naming the operation.
    func fail(_ operations: Set<String>, throwing error: (any Error)? = nil) {
        state.withLock { state in
            state.failing = operations
            state.error = error
        }
    }

    private func enter(_ operation: String) throws {
        try state.withLock { state in
            state.calls[operation, default: 0] += 1
            if state.failing.contains(operation) { throw state.error ?? ProbeError.injected(operation) }
        }
    }

    func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        try enter("read")
        return try await inner.read(id)
    }

    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        try enter("write")
        try await inner.write(id, payload: payload, metadata: metadata)
    }

    func destroy(_ id: SessionIdentifier) async throws {
        try enter("destroy")
        try await inner.destroy(id)
    }

    func gc() async throws -> Int {
        try enter("gc")
        return try await inner.gc()
    }

    func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        try enter("touch")
        return try await inner.touch(id, metadata: metadata)
    }
}

enum ProbeError: Error, Equatable {
    case injected(String)
}

/// A manager on a manual clock whose default driver is a probe around a memory driver.
struct Fixture {
    let time = ManualClock()
    let events = EventLog()
    let manager: SessionManager
    let probe: ProbeDriver
    let memory: MemorySessionDriver

    init(_ configure: (inout SessionConfig) -> Void = { _ in }) throws {
        var config = SessionConfig()
        config.driver = "probe"
        config.lottery = .init(chances: 0, outOf: 100)
        configure(&config)
        manager = try SessionManager(config: config, clock: time.clock, observer: events.observer)
        memory = MemorySessionDriver(maximumSessions: config[MemorySessionDriver.maximumSessionsSetting], clock: time.clock)
        probe = ProbeDriver(memory)
        let probe = self.probe
        manager.extend("probe") { _ in probe }
    }

    var lifecycle: SessionLifecycle { SessionLifecycle(manager: manager) }

    /// A stored session with `values` in it, returned with its ID.
    func storedSession(_ values: [String: SessionValue] = ["seed": true]) async throws -> SessionIdentifier {
        let session = try await manager.buildSession()
        session.put(values)
        try await session.save()
        return session.id
    }
}

extension SessionResponse {
    func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
}

/// The session ID a `Set-Cookie` value carries, or nil when it clears the cookie.
func cookieID(_ setCookie: String?) -> String? {
    guard let setCookie, let equals = setCookie.firstIndex(of: "=") else { return nil }
    let value = setCookie[setCookie.index(after: equals)...].prefix { $0 != ";" }
    return value.isEmpty ? nil : String(value)
}

/// The start of an envelope written by hand (version, two dates, no token, no flash keys), to
/// which a test appends what our encoder would never write.
func handWrittenEnvelopeHeader(createdAt: Double = 0, cookieExpiresAt: Double = 0) -> ByteWriter {
    var writer = ByteWriter()
    writer.byte(SessionEnvelope.formatVersion)
    writer.double(createdAt)
    writer.double(cookieExpiresAt)
    writer.string("")
    writer.varint(0)
    writer.varint(0)
    return writer
}

extension Duration {
    /// `count` minutes, as configurations are written.
    static func minutes(_ count: Int64) -> Duration { .seconds(count * 60) }
}

/// The error `validate()` throws for the default configuration changed by `change`, or nil.
func validationError(_ change: (inout SessionConfig) -> Void) -> SessionConfigError? {
    var config = SessionConfig()
    change(&config)
    do {
        try config.validate()
        return nil
    } catch {
        return error
    }
}

extension SessionDriver {
    /// Writes `payload` under `id` as a session created at `now` that lives `lifetime` from it.
    func write(_ id: SessionIdentifier, payload: [UInt8], at now: Date, lasting lifetime: Duration = .seconds(3_600)) async throws {
        try await write(id, payload: payload, metadata: .lasting(lifetime, from: now))
    }
}

extension SessionMetadata {
    /// Metadata of a session created at `now` that lives `lifetime` from it.
    static func lasting(_ lifetime: Duration, from now: Date, userKey: String? = nil) -> SessionMetadata {
        SessionMetadata(expiresAt: now.addingTimeInterval(lifetime.secondsValue), createdAt: now, userKey: userKey)
    }
}

extension SessionLifecycle {
    /// Starts a request whose only header fields are `Cookie` fields with these values.
    func start(cookieHeaders: [String], blocking: Blocking? = nil) async throws -> StartedSession {
        try await start(headers: cookieHeaders.map { HeaderField(name: "Cookie", value: $0) }, blocking: blocking)
    }
}
