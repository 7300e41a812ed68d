/// What a driver factory receives when the manager builds a driver: the configuration (with
/// the driver's own settings), the idle lifetime the driver enforces, the clock it reads, and
/// where it reports events.
public struct SessionDriverContext: Sendable {
    /// The driver's name in the manager's registry.
    public var name: String
    /// The manager's configuration; read a driver's own settings with ``subscript(_:)``.
    public var config: SessionConfig
    /// The idle lifetime after which a session that was neither written nor touched expires.
    public var lifetime: Duration
    /// The clock the driver reads for expiry.
    public var clock: SessionClock
    /// Reports an event to the manager's observer.
    public var report: @Sendable (SessionEvent) -> Void

    /// Creates a context; the manager makes one per driver, tests make their own.
    public init(
        name: String,
        config: SessionConfig,
        lifetime: Duration? = nil,
        clock: SessionClock = .system,
        report: @escaping @Sendable (SessionEvent) -> Void = { _ in }
    ) {
        self.name = name
        self.config = config
        self.lifetime = lifetime ?? config.lifetime
        self.clock = clock
        self.report = report
    }

    /// The value of `setting` (a driver's own, declared when it was registered) in the configuration.
    ///
    /// ```swift
    /// sessions.extend("database", settings: [table]) { context in DatabaseDriver(table: context[table]) }
    /// ```
    public subscript<Value>(setting: SessionSetting<Value>) -> Value {
        config[setting]
    }
}
