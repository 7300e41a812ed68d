import Foundation
import Sessions

/// The shared conformance suite every driver runs: the built-in ones and yours.
///
/// Call it from your own tests with a factory that builds your driver from the context it is
/// given (use its `clock`, so expiry is tested without sleeping):
///
/// ```swift
/// import SessionsConformance
/// import Testing
///
/// @Test(arguments: SessionDriverConformance.Check.basic)
/// func conformance(check: SessionDriverConformance.Check) async throws {
///     let suite = SessionDriverConformance { context in MyDriver(clock: context.clock) }
///     try await suite.run(check)
/// }
/// ```
///
/// Tiers: ``Tier/basic`` holds the rules every driver must follow. ``Tier/atomic`` is for drivers
/// that declare `conditionalWrites` (atomic read-merge-write under concurrency), and
/// ``Tier/locking`` for those that declare `sessionLocks` (blocking routes). Run each tier on
/// your driver and, wrapped, through a ``Sessions/SessionDriverWrapper`` (``run(_:throughWrapper:)``)
/// to prove a wrapper keeps its capabilities.
public struct SessionDriverConformance: Sendable {
    /// Builds a fresh driver for one check.
    public typealias Factory = @Sendable (SessionDriverContext) async throws -> any SessionDriver

    /// The idle lifetime the checks' sessions get (and the context's lifetime drivers are built with).
    public let lifetime: Duration
    private let makeDriver: Factory

    /// A suite that builds each check's driver with `makeDriver`.
    public init(lifetime: Duration = .seconds(600), makeDriver: @escaping Factory) {
        self.lifetime = lifetime
        self.makeDriver = makeDriver
    }

    /// A tier of checks.
    public enum Tier: String, Sendable, CaseIterable {
        /// The contract every driver must meet.
        case basic
        /// Conditional writes: compare-and-swap on the stored version.
        case atomic
        /// Per-session locks held across a request.
        case locking
    }

    /// One named check.
    public struct Check: Sendable, CustomStringConvertible {
        /// The check's name, shown in test output.
        public let name: String
        /// The tier it belongs to.
        public let tier: Tier
        let body: @Sendable (Harness) async throws -> Void

        public var description: String { name }

        /// Every check of the basic tier.
        public static var basic: [Check] { BasicChecks.all }
        /// Every check of the atomic tier.
        public static var atomic: [Check] { AtomicChecks.all }
        /// Every check of the locking tier.
        public static var locking: [Check] { AtomicChecks.locking }

        /// Every check of `tier`.
        public static func all(in tier: Tier) -> [Check] {
            switch tier {
            case .basic: basic
            case .atomic: atomic
            case .locking: locking
            }
        }
    }

    /// Runs one check on a fresh driver, or with `throughWrapper` on the driver wrapped in a
    /// ``Sessions/SessionDriverWrapper`` that implements nothing of its own: every check must
    /// pass the same way through it.
    /// - Throws: ``ConformanceFailure`` describing the broken rule, or the driver's own error.
    public func run(_ check: Check, throughWrapper: Bool = false) async throws {
        let time = ManualClock()
        let context = SessionDriverContext(name: "conformance", config: SessionConfig(), lifetime: lifetime, clock: time.clock)
        let built = try await makeDriver(context)
        let driver: any SessionDriver = throughWrapper ? PassThroughWrapper(inner: built) : built
        if throughWrapper, driver.capabilities != built.capabilities {
            throw ConformanceFailure(check: check.name, message: "a wrapper changed the capabilities from \(built.capabilities) to \(driver.capabilities)")
        }
        try await driver.open()
        try await check.body(Harness(check: check.name, driver: driver, time: time, lifetime: lifetime))
        try await driver.close()
    }

    /// Runs every check of `tier`, stopping at the first failure; with `throughWrapper`, on the
    /// driver wrapped as in ``run(_:throughWrapper:)``.
    public func run(tier: Tier = .basic, throughWrapper: Bool = false) async throws {
        for check in Check.all(in: tier) { try await run(check, throughWrapper: throughWrapper) }
    }

    /// A wrapper with no code of its own.
    struct PassThroughWrapper: SessionDriverWrapper {
        let inner: any SessionDriver
    }

    /// What a check works with.
    struct Harness: Sendable {
        let check: String
        let driver: any SessionDriver
        let time: ManualClock
        let lifetime: Duration

        func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw failure(message()) }
        }

        func failure(_ message: String) -> ConformanceFailure {
            ConformanceFailure(check: check, message: message)
        }

        func require<Value>(_ value: Value?, _ message: String) async throws -> Value {
            guard let value else { throw failure(message) }
            return value
        }

        func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

        /// Metadata for a session written now: it expires `lifetime` from now (the suite's
        /// lifetime by default) and was created `age` ago.
        func metadata(lasting lifetime: Duration? = nil, age: Duration = .zero, userKey: String? = nil) -> SessionMetadata {
            let now = time.now
            return SessionMetadata(
                expiresAt: now.addingTimeInterval(Self.seconds(lifetime ?? self.lifetime)),
                createdAt: now.addingTimeInterval(-Self.seconds(age)),
                userKey: userKey
            )
        }

        /// Writes `payload` under `id` with ``metadata(lasting:age:userKey:)``.
        func write(_ id: SessionIdentifier, _ payload: [UInt8], lasting lifetime: Duration? = nil, userKey: String? = nil) async throws {
            try await driver.write(id, payload: payload, metadata: metadata(lasting: lifetime, userKey: userKey))
        }

        /// Writes `text` under `id` with ``metadata(lasting:age:userKey:)``.
        func write(_ id: SessionIdentifier, _ text: String, lasting lifetime: Duration? = nil, userKey: String? = nil) async throws {
            try await write(id, payload(text), lasting: lifetime, userKey: userKey)
        }

        /// Touches `id`, moving its deadline to `lifetime` from now.
        func touch(_ id: SessionIdentifier, lasting lifetime: Duration? = nil) async throws -> Bool {
            try await driver.touch(id, metadata: metadata(lasting: lifetime))
        }

        /// Whether two times agree to the millisecond (stores may keep microseconds).
        func agree(_ first: Date?, _ second: Date) -> Bool {
            guard let first else { return false }
            return abs(first.timeIntervalSince(second)) < 0.001
        }

        /// `duration` in seconds, with its fraction (the manual clock advances by it too).
        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }
}
