/// What a driver factory receives when the manager builds a driver: its own settings (read with
/// ``subscript(_:)``), the clock it compares deadlines with, and where it reports events.
public struct SessionDriverContext: Sendable {
    /// The driver's name in the manager's registry.
    public var name: String
    /// The manager's configuration, where the driver's settings are read.
    var config: SessionConfig
    /// The configured idle lifetime: sessions bring their own deadlines, so a driver needs it
    /// only for records that carry none (the file driver's previous format).
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

    /// The value of `setting` (a driver's own, declared when it was registered) in the
    /// configuration; a test sets one to build a driver with it.
    ///
    /// ```swift
    /// sessions.extend("database", settings: [table]) { context in DatabaseDriver(table: context[table]) }
    /// ```
    public subscript<Value>(setting: SessionSetting<Value>) -> Value {
        get { config[setting] }
        set { config[setting] = newValue }
    }
}
