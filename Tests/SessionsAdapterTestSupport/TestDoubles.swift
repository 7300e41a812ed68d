#if Logging
// Test doubles the adapters' live tests share: stores that refuse or fail on demand, and a log
// handler that keeps its lines.
import Foundation
import Logging
import Sessions
import Synchronization

/// A store whose `open` fails as an unreachable database's would.
package struct RefusingDriver: SessionDriver {
    package struct Refused: Error, CustomStringConvertible {
        package var description: String { "connection refused" }
    }
    package init() {}
    package func open() async throws { throw Refused() }
    package func read(_ id: SessionIdentifier) async throws -> StoredSession? { nil }
    package func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {}
    package func destroy(_ id: SessionIdentifier) async throws {}
    package func gc() async throws -> Int { 0 }
}

/// A store whose every call throws `error`.
package struct FailingDriver: SessionDriver {
    package struct Down: Error {}
    /// A store that cannot be reached: its requests get 503.
    package static let unreachable = FailingDriver(error: SessionError.unavailable(reason: "connection refused"))
    /// A store that fails otherwise: its requests get 500.
    package static let broken = FailingDriver(error: Down())

    package let error: any Error
    package func read(_ id: SessionIdentifier) async throws -> StoredSession? { throw error }
    package func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws { throw error }
    package func destroy(_ id: SessionIdentifier) async throws { throw error }
    package func gc() async throws -> Int { throw error }
}

/// Keeps every event a manager reports.
package final class EventRecorder: Sendable {
    private let events = Mutex<[SessionEvent]>([])
    package init() {}
    package var all: [SessionEvent] { events.withLock { $0 } }
    package var observer: SessionEventObserver { { event in self.events.withLock { $0.append(event) } } }
}

/// A memory driver that counts calls and fails every call once told to.
package final class FlakyDriver: SessionDriver {
    package let inner = MemorySessionDriver()
    package let failing = Mutex(false)
    private let calls = Mutex<[String: Int]>([:])
    package struct Down: Error, CustomStringConvertible { package var description: String { "the store is down" } }

    package init() {}

    package func count(_ operation: String) -> Int { calls.withLock { $0[operation, default: 0] } }

    private func enter(_ operation: String) throws {
        calls.withLock { $0[operation, default: 0] += 1 }
        if failing.withLock({ $0 }) { throw Down() }
    }

    package func read(_ id: SessionIdentifier) async throws -> StoredSession? { try enter("read"); return try await inner.read(id) }
    package func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        try enter("write")
        try await inner.write(id, payload: payload, metadata: metadata)
    }
    package func destroy(_ id: SessionIdentifier) async throws { try enter("destroy"); try await inner.destroy(id) }
    package func gc() async throws -> Int { try enter("gc"); return try await inner.gc() }
    package func close() async throws { try enter("close") }
}

/// A log handler that keeps every line.
package final class LogLines: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    package var all: [String] { lines.withLock { $0 } }

    package init() {}

    package var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    package var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    package func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}
#endif
