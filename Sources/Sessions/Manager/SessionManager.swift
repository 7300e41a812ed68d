import Foundation
import Synchronization

/// The facade: a registry of drivers, the configuration, and the place sessions come from.
///
/// ```swift
/// let sessions = try SessionManager(config: .load())
/// sessions.extend("redis", settings: [RedisDriver.urlSetting]) { context in
///     RedisDriver(url: context[RedisDriver.urlSetting], clock: context.clock)
/// }
/// try await sessions.open()                                 // at boot: checks and opens the drivers
///
/// let session = try await sessions.buildSession()          // the configured default driver
/// session.put("user_id", 42)
/// try await session.save()
/// ```
///
/// `memory` (``MemorySessionDriver``) and `file` (``FileSessionDriver``) are registered out of
/// the box. Each driver is built once, at ``open(drivers:)`` or on first use, and cached;
/// concurrent first calls build it once.
public final class SessionManager: Sendable {
    /// Builds a driver from the context the manager gives it.
    public typealias DriverFactory = @Sendable (SessionDriverContext) throws -> any SessionDriver

    /// The configuration every session and driver of this manager uses.
    public let config: SessionConfig
    /// The clock sessions and drivers read.
    public let clock: SessionClock
    /// The session cookie: its name and attributes, made once.
    let cookie: SetCookie

    let observer: SessionEventObserver
    /// The configuration's numbers every session reads, made once.
    let policy: Session.Policy
    /// The configured default driver's name.
    let defaultDriver: String
    /// The gc lottery, and the fewest seconds between two of its runs on one driver.
    let lottery: SessionConfig.Lottery
    let gcMinimumInterval: Double
    /// Queues saves of one session within this process (see ``Session/save()``).
    let saves = KeyedAsyncLock<SessionIdentifier>()
    private let registry: Locked<Registry>
    let garbageCollection = Locked(GarbageCollectionState())
    /// The gc lottery's draws: a Weyl sequence, mixed per draw (see `drawLottery`).
    let lotteryDraws = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// A registered driver: how to build it and the settings it reads.
    private struct Registration {
        var factory: DriverFactory
        var settings: [SessionSettingDeclaration]
    }

    private struct Registry {
        var registrations: [String: Registration]
        /// Drivers being built (and opened) or built.
        var drivers: [String: Task<ResolvedDriver, any Error>] = [:]
        /// The drivers whose build has finished, handed out without awaiting the task.
        var ready: [String: ResolvedDriver] = [:]
        /// Whether the configuration passed the checks that need every registered driver's
        /// settings, with the drivers registered now.
        var settingsChecked = false
    }

    private enum DriverLookup {
        case ready(ResolvedDriver)
        case building(Task<ResolvedDriver, any Error>)
    }

    /// A manager for `config`, which it checks first (``SessionConfig/validate()``): a value set in
    /// code is held to the same rules as one read from a file.
    /// - Parameters:
    ///   - clock: where sessions and drivers read the time; tests pass one they move by hand.
    ///   - observer: receives every ``SessionEvent``; integrations forward them to a logger.
    /// - Throws: ``SessionConfigError`` naming the key and the value of the first bad setting.
    public init(
        config: SessionConfig = SessionConfig(),
        clock: SessionClock = .system,
        observer: @escaping SessionEventObserver = { _ in }
    ) throws(SessionConfigError) {
        try config.validate()
        self.config = config
        self.cookie = SetCookie(config: config)
        self.policy = Session.Policy(config)
        self.defaultDriver = config.driver
        self.lottery = config.lottery
        self.gcMinimumInterval = config.gcMinInterval.secondsValue
        self.clock = clock
        self.observer = observer
        self.registry = Locked(
            Registry(registrations: [
                "memory": Registration(
                    factory: { MemorySessionDriver(context: $0) }, settings: MemorySessionDriver.settings.map(\.declaration)),
                "file": Registration(
                    factory: { FileSessionDriver(context: $0) }, settings: FileSessionDriver.settings.map(\.declaration)),
            ])
        )
    }

    /// Registers a driver factory under `name`, replacing any earlier one, with the settings the
    /// driver reads (so their keys are accepted in `config/session.json` and read from
    /// `SESSION_<KEY>`). Call it at boot, before ``open(drivers:)`` and the first request.
    ///
    /// ```swift
    /// sessions.extend("counting", settings: [CountingDriver.logSetting]) { context in
    ///     CountingDriver(inner: MemorySessionDriver(context: context), log: context[CountingDriver.logSetting])
    /// }
    /// ```
    @discardableResult
    public func extend(_ name: String, settings: [any AnySessionSetting] = [], _ factory: @escaping DriverFactory) -> Self {
        let registration = Registration(factory: factory, settings: settings.map(\.declaration))
        registry.withLock { registry in
            registry.registrations[name] = registration
            registry.drivers[name] = nil
            registry.ready[name] = nil
            registry.settingsChecked = false
        }
        return self
    }

    /// The names of every registered driver.
    public var registeredDrivers: [String] {
        registry.withLock { $0.registrations.keys.sorted() }
    }

    /// The boot step: checks the whole configuration against the settings of every registered
    /// driver, then builds and opens the default driver and `names`, so that a bad setting or an
    /// unreachable store fails when the app starts rather than on its first request.
    ///
    /// The Hummingbird integration's `SessionManagerService` runs it when the app starts.
    /// - Throws: ``SessionConfigError`` for a bad or unknown setting (naming the key);
    ///   ``SessionError/unknownDriver(name:registered:)``; ``SessionError/openFailed(driver:reason:)``
    ///   naming the driver whose factory or `open()` failed, with its error.
    public func open(drivers names: [String] = []) async throws {
        var seen = Set<String>()
        for name in [defaultDriver] + names where seen.insert(name).inserted {
            let build: Task<ResolvedDriver, any Error>
            switch try lookUp(name) {
            case .ready: continue
            case .building(let task): build = task
            }
            do {
                _ = try await finish(build, of: name)
            } catch {
                throw SessionError.openFailed(driver: name, reason: String(describing: error))
            }
        }
    }

    /// The driver registered under `name` (the configured default when nil), built and opened
    /// on first use and cached.
    /// - Throws: ``SessionError/unknownDriver(name:registered:)`` naming `name` and the registered
    ///   drivers, a ``SessionConfigError`` when the configuration fails the boot checks, or the
    ///   error the factory or `open()` threw (the next call tries again).
    public func driver(_ name: String? = nil) async throws -> any SessionDriver {
        try await resolvedDriver(name ?? defaultDriver).driver
    }

    /// ``driver(_:)`` with its abilities resolved; once built, answered without awaiting.
    func resolvedDriver(_ name: String) async throws -> ResolvedDriver {
        switch try lookUp(name) {
        case .ready(let ready): ready
        case .building(let task): try await finish(task, of: name)
        }
    }

    /// The built driver, or the task building it (started here when none is).
    private func lookUp(_ name: String) throws -> DriverLookup {
        try registry.withLock { registry -> DriverLookup in
            if let ready = registry.ready[name] { return .ready(ready) }
            if !registry.settingsChecked {
                try config.validate(drivers: registry.registrations.values.flatMap(\.settings))
                registry.settingsChecked = true
            }
            if let existing = registry.drivers[name] { return .building(existing) }
            guard let factory = registry.registrations[name]?.factory else {
                throw SessionError.unknownDriver(name: name, registered: registry.registrations.keys.sorted())
            }
            let context = SessionDriverContext(name: name, config: config, clock: clock, report: observer)
            let (cookie, policy, observer, saves) = (cookie, policy, observer, saves)
            let task = Task<ResolvedDriver, any Error> {
                let driver = try factory(context)
                try await driver.open()
                if !driver.capabilities.contains(.conditionalWrites) { observer(.lastWriterWins(driver: name)) }
                return ResolvedDriver(
                    name: name,
                    driver: driver,
                    cookie: cookie,
                    policy: policy,
                    clock: context.clock,
                    report: observer,
                    saves: saves
                )
            }
            registry.drivers[name] = task
            return .building(task)
        }
    }

    /// Waits for `build`, caching its driver, or forgetting the task when it failed so that the
    /// next call tries again.
    private func finish(_ build: Task<ResolvedDriver, any Error>, of name: String) async throws -> ResolvedDriver {
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
        try await buildSession(driver: name, validatedIDs: validatedID.map { [$0] } ?? [])
    }

    /// A session for the first of `validatedIDs` the store holds a live session for.
    func buildSession(driver name: String?, validatedIDs: [SessionIdentifier]) async throws -> Session {
        try await Session.start(presentingAny: validatedIDs, on: try await resolvedDriver(name ?? defaultDriver))
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
