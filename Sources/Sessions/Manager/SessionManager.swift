import Foundation
import Synchronization

/// The facade: a registry of drivers, the configuration, and the place sessions come from.
///
/// ```swift
/// let sessions = SessionManager(config: try .load())
/// sessions.extend("redis") { context in RedisSessionDriver(lifetime: context.lifetime) }
///
/// let session = try await sessions.buildSession()          // the configured default driver
/// session.put("user_id", 42)
/// try await session.save()
/// ```
///
/// `memory` (``MemorySessionDriver``) and `file` (``FileSessionDriver``) are registered out of
/// the box. Each driver is built once, on first use, and cached; concurrent first calls build it
/// once.
public final class SessionManager: Sendable {
    /// Builds a driver from the context the manager gives it.
    public typealias DriverFactory = @Sendable (SessionDriverContext) throws -> any SessionDriver

    /// The configuration every session and driver of this manager uses.
    public let config: SessionConfig
    /// The clock sessions and drivers read.
    public let clock: SessionClock

    let observer: SessionEventObserver
    /// The configuration's numbers every session reads, made once.
    let policy: Session.Policy
    /// Queues saves of one session within this process (see ``Session/save()``).
    let saves = KeyedAsyncLock<SessionIdentifier>()
    private let registry: Locked<Registry>
    let garbageCollection = Locked(GarbageCollectionState())
    /// The gc lottery's draws: a Weyl sequence, mixed per draw (see `drawLottery`).
    let lotteryDraws = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    private struct Registry {
        var factories: [String: DriverFactory]
        /// Drivers being built (and opened) or built.
        var drivers: [String: Task<ResolvedDriver, any Error>] = [:]
        /// The drivers whose build has finished, handed out without awaiting the task.
        var ready: [String: ResolvedDriver] = [:]
    }

    private enum DriverLookup {
        case ready(ResolvedDriver)
        case building(Task<ResolvedDriver, any Error>)
    }

    /// A manager for `config`.
    /// - Parameters:
    ///   - clock: where sessions and drivers read the time; tests pass one they move by hand.
    ///   - observer: receives every ``SessionEvent``; integrations forward them to a logger.
    public init(
        config: SessionConfig = SessionConfig(),
        clock: SessionClock = .system,
        observer: @escaping SessionEventObserver = { _ in }
    ) {
        self.config = config
        self.policy = Session.Policy(config)
        self.clock = clock
        self.observer = observer
        self.registry = Locked(
            Registry(factories: [
                "memory": { MemorySessionDriver(context: $0) },
                "file": { FileSessionDriver(context: $0) },
            ])
        )
    }

    /// Registers a driver factory under `name`, replacing any earlier one. Call it at boot,
    /// before the first request.
    ///
    /// ```swift
    /// sessions.extend("counting") { context in CountingDriver(inner: MemorySessionDriver(context: context)) }
    /// ```
    @discardableResult
    public func extend(_ name: String, _ factory: @escaping DriverFactory) -> Self {
        registry.withLock { registry in
            registry.factories[name] = factory
            registry.drivers[name] = nil
            registry.ready[name] = nil
        }
        return self
    }

    /// The names of every registered driver.
    public var registeredDrivers: [String] {
        registry.withLock { $0.factories.keys.sorted() }
    }

    /// The driver registered under `name` (the configured default when nil), built and opened
    /// on first use and cached.
    /// - Throws: ``SessionError/unknownDriver(name:registered:)`` naming `name` and the registered
    ///   drivers, or the error the factory or `open()` threw (the next call tries again).
    public func driver(_ name: String? = nil) async throws -> any SessionDriver {
        try await resolvedDriver(name ?? config.driver).driver
    }

    /// ``driver(_:)`` with its abilities resolved; once built, answered without awaiting.
    func resolvedDriver(_ name: String) async throws -> ResolvedDriver {
        let lookup = try registry.withLock { registry -> DriverLookup in
            if let ready = registry.ready[name] { return .ready(ready) }
            if let existing = registry.drivers[name] { return .building(existing) }
            guard let factory = registry.factories[name] else {
                throw SessionError.unknownDriver(name: name, registered: registry.factories.keys.sorted())
            }
            let context = SessionDriverContext(name: name, config: config, clock: clock, report: observer)
            let (cookie, policy, observer, saves) = (config.cookie, policy, observer, saves)
            let task = Task<ResolvedDriver, any Error> {
                let driver = try factory(context)
                try await driver.open()
                return ResolvedDriver(
                    name: name,
                    driver: driver,
                    cookieName: cookie,
                    policy: policy,
                    clock: context.clock,
                    report: observer,
                    saves: saves
                )
            }
            registry.drivers[name] = task
            return .building(task)
        }
        let build: Task<ResolvedDriver, any Error>
        switch lookup {
        case .ready(let ready): return ready
        case .building(let task): build = task
        }
        do {
            let resolved = try await build.value
            registry.withLock { registry in
                if registry.drivers[name] == build { registry.ready[name] = resolved }
            }
            return resolved
        } catch {
            registry.withLock { registry in
                if registry.drivers[name] == build { registry.drivers[name] = nil }
            }
            observer(.storeError(driver: name, operation: "open", message: String(describing: error)))
            throw error
        }
    }

    /// A started session on `driver` (the default when nil).
    ///
    /// `id` is untrusted text (a cookie value, a header): it is adopted only if it is a valid ID
    /// the store knows. A missing, invalid, unknown or expired ID gets a fresh, empty session.
    /// - Throws: the driver's error when the store cannot be read.
    public func buildSession(driver name: String? = nil, id: String? = nil) async throws -> Session {
        try await buildSession(driver: name, validatedID: id.flatMap(validate))
    }

    /// Loads the session stored under `id` for work outside a request (a background job):
    /// nil when the store does not know it, so a job never creates an orphan session by mistake.
    /// Change it and call ``Session/save()``.
    public func load(id: String, driver name: String? = nil) async throws -> Session? {
        guard let validated = validate(id) else { return nil }
        let session = try await buildSession(driver: name, validatedID: validated)
        return session.isStored ? session : nil
    }

    func buildSession(driver name: String?, validatedID: SessionIdentifier?) async throws -> Session {
        let session = Session(id: validatedID, on: try await resolvedDriver(name ?? config.driver))
        try await session.start()
        return session
    }

    /// Parses untrusted text as an ID, reporting why it was rejected.
    func validate(_ text: some StringProtocol) -> SessionIdentifier? {
        if let id = SessionIdentifier(validating: text) { return id }
        observer(.rejectedID(reason: text.utf8.count > 256 ? .oversized : .malformed))
        return nil
    }

    /// Closes every driver that was built, for a graceful shutdown.
    public func close() async {
        let built = registry.withLock { registry in
            defer {
                registry.drivers = [:]
                registry.ready = [:]
            }
            return registry.drivers
        }
        for (name, task) in built {
            do {
                try await task.value.driver.close()
            } catch {
                observer(.storeError(driver: name, operation: "close", message: String(describing: error)))
            }
        }
    }
}
