#if Metrics
public import CoreMetrics
import Metrics
public import Sessions
import Synchronization

/// Session counters and store timings on swift-metrics, fed by the core's ``Sessions/SessionEvent``s.
///
/// Nothing is recorded unless the app bootstraps a metrics backend (`MetricsSystem.bootstrap`):
/// until then swift-metrics hands out no-op metrics.
///
/// ```swift
/// let metrics = SessionMetrics()
/// let logging = SessionLogging.observer(logger: logger)
/// let sessions = try SessionManager(config: .load(), observer: metrics.observer(forwardingTo: logging))
/// ```
///
/// | metric | kind | dimensions | counts |
/// |---|---|---|---|
/// | `sessions_started` | counter | `new` | sessions started for requests (and built by the app) |
/// | `sessions_created` | counter | | new sessions stored for the first time |
/// | `sessions_regenerated` | counter | | sessions moved to a new ID |
/// | `sessions_invalidated` | counter | | logouts (``Sessions/Session/invalidate()``) |
/// | `sessions_destroyed` | counter | `reason` | sessions ended: `invalidated`, `absolute_lifetime` |
/// | `sessions_gc_removed` | counter | `driver` | expired sessions gc removed |
/// | `sessions_rejected_ids` | counter | `reason` | presented IDs not adopted: `malformed`, `oversized`, `unknown` |
/// | `sessions_store_errors` | counter | `driver`, `operation` | those calls that failed (unavailable ones too) |
/// | `sessions_store_duration` | timer | `driver`, `operation` | every read, write, touch and destroy a session makes |
public final class SessionMetrics: Sendable {
    /// The prefix of every label (`sessions`).
    public let prefix: String
    private let factory: any MetricsFactory
    private let started: Counter
    private let startedNew: Counter
    private let created: Counter
    private let regenerated: Counter
    private let invalidated: Counter
    private let destroyedByLogout: Counter
    private let destroyedByAge: Counter
    private let rejected: [String: Counter]
    /// The metrics whose dimensions name a driver or an operation, made on first use.
    private let byStore = Mutex<[StoreKey: StoreMetrics]>([:])
    private let removedByDriver = Mutex<[String: Counter]>([:])

    private struct StoreKey: Hashable {
        var driver: String
        var operation: String
    }

    private struct StoreMetrics: Sendable {
        var duration: CoreMetrics.Timer
        var errors: Counter
    }

    /// Metrics labelled `<prefix>_…`, made by `factory` (the bootstrapped backend by default).
    public init(prefix: String = "sessions", factory: any MetricsFactory = MetricsSystem.factory) {
        self.prefix = prefix
        self.factory = factory
        func counter(_ name: String, _ dimensions: [(String, String)] = []) -> Counter {
            Counter(label: "\(prefix)_\(name)", dimensions: dimensions, factory: factory)
        }
        started = counter("started", [("new", "false")])
        startedNew = counter("started", [("new", "true")])
        created = counter("created")
        regenerated = counter("regenerated")
        invalidated = counter("invalidated")
        destroyedByLogout = counter("destroyed", [("reason", "invalidated")])
        destroyedByAge = counter("destroyed", [("reason", "absolute_lifetime")])
        rejected = Dictionary(uniqueKeysWithValues: ["malformed", "oversized", "unknown"].map { ($0, counter("rejected_ids", [("reason", $0)])) })
    }

    /// An observer that records each event, then hands it to `next` (a logging observer).
    public func observer(forwardingTo next: SessionEventObserver? = nil) -> SessionEventObserver {
        { event in
            self.record(event)
            next?(event)
        }
    }

    /// Records what `event` counts or times; other events are ignored.
    public func record(_ event: SessionEvent) {
        switch event {
        case .sessionStarted(_, let isNew): (isNew ? startedNew : started).increment()
        case .created: created.increment()
        case .regenerated: regenerated.increment()
        case .invalidated:
            invalidated.increment()
            destroyedByLogout.increment()
        case .absoluteLifetimeExceeded: destroyedByAge.increment()
        case .rejectedID(let reason): rejected[reason.rawValue]?.increment()
        case .unknownID: rejected["unknown"]?.increment()
        case .garbageCollected(let driver, let removed): removedCounter(driver).increment(by: removed)
        case .storeCall(let driver, let operation, let duration, let failed):
            let metrics = storeMetrics(driver, operation)
            metrics.duration.record(duration: duration)
            if failed { metrics.errors.increment() }
        default: break
        }
    }

    private func storeMetrics(_ driver: String, _ operation: String) -> StoreMetrics {
        byStore.withLock { made in
            made.value(StoreKey(driver: driver, operation: operation)) {
                let dimensions = [("driver", driver), ("operation", operation)]
                return StoreMetrics(
                    duration: CoreMetrics.Timer(label: "\(prefix)_store_duration", dimensions: dimensions, factory: factory),
                    errors: Counter(label: "\(prefix)_store_errors", dimensions: dimensions, factory: factory))
            }
        }
    }

    private func removedCounter(_ driver: String) -> Counter {
        removedByDriver.withLock { made in
            made.value(driver) { Counter(label: "\(prefix)_gc_removed", dimensions: [("driver", driver)], factory: factory) }
        }
    }
}

extension Dictionary {
    /// The value under `key`, made by `make` and stored first when missing.
    fileprivate mutating func value(_ key: Key, orMake make: () -> Value) -> Value {
        if let value = self[key] { return value }
        let value = make()
        self[key] = value
        return value
    }
}
#endif
