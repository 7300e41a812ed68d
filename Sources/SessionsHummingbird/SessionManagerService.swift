#if Hummingbird
public import Logging
public import ServiceLifecycle
public import Sessions

/// Runs the session manager inside the app's service lifecycle: boots it when the app starts
/// (``Sessions/SessionManager/open(drivers:)``: a bad setting or an unreachable store stops the
/// app with a message naming the driver and the setting), runs gc on a schedule, and closes the
/// drivers at graceful shutdown.
///
/// ```swift
/// var app = Application(router: router)
/// app.addServices(SessionManagerService(manager: sessions, every: .seconds(600), logger: logger))
/// try await app.runService()
/// ```
///
/// The schedule complements the per-request lottery (`lottery` in the configuration): a quiet
/// server still cleans up, and a busy one can set the lottery to `[0, 100]` and rely on this alone.
public struct SessionManagerService: Service {
    /// The manager booted, collected and closed.
    public let manager: SessionManager
    /// The time between two gc runs.
    public let interval: Duration
    /// The drivers to open at start and collect (the configured default when empty).
    public let drivers: [String]
    /// The host the app listens on, if given: a non-loopback one with `secure` off is warned about.
    public let host: String?
    /// Where errors go.
    public let logger: Logger

    /// A service that opens `drivers` (the default driver when empty) at start and collects
    /// them every `interval`. With `host` (the address the app listens on), it warns at start
    /// when cookies would go out without `Secure` beyond this machine
    /// (``Sessions/SessionConfig/deploymentWarning(listeningOn:)``).
    public init(
        manager: SessionManager, every interval: Duration = .seconds(600), drivers: [String] = [], host: String? = nil,
        logger: Logger
    ) {
        self.manager = manager
        self.interval = interval
        self.drivers = drivers
        self.host = host
        self.logger = logger
    }

    /// Boots the manager, then collects garbage every ``interval`` until graceful shutdown, then
    /// closes the drivers.
    /// - Throws: the boot step's error, which stops the app.
    public func run() async throws {
        if let host, let warning = manager.config.deploymentWarning(listeningOn: host) { logger.warning("\(warning)") }
        do {
            try await manager.open(drivers: drivers)
        } catch {
            logger.critical("the sessions could not start: \(String(describing: error))")
            await manager.close()
            throw error
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    break
                }
                await collect()
            }
        }
        await manager.close()
    }

    /// Runs gc once on every configured driver.
    func collect() async {
        await manager.collectGarbage(drivers: drivers) { driver, error in
            logger.error("session gc on \(driver) failed: \(String(describing: error))")
        }
    }
}
#endif
