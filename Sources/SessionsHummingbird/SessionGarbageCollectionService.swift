#if Hummingbird
public import Logging
public import ServiceLifecycle
public import Sessions

/// Runs gc on a schedule and closes the drivers at graceful shutdown.
///
/// ```swift
/// var app = Application(router: router)
/// app.addServices(SessionGarbageCollectionService(manager: sessions, every: .seconds(600), logger: logger))
/// ```
///
/// This complements the per-request lottery (`lottery` in the configuration): a quiet server
/// still cleans up, and a busy one can set the lottery to `[0, 100]` and rely on this alone.
public struct SessionGarbageCollectionService: Service {
    /// The manager whose drivers are collected and closed.
    public let manager: SessionManager
    /// The time between two runs.
    public let interval: Duration
    /// The drivers to collect (the configured default when empty).
    public let drivers: [String]
    /// Where errors go.
    public let logger: Logger

    /// A service collecting `drivers` (the default driver when empty) every `interval`.
    public init(manager: SessionManager, every interval: Duration = .seconds(600), drivers: [String] = [], logger: Logger) {
        self.manager = manager
        self.interval = interval
        self.drivers = drivers
        self.logger = logger
    }

    public func run() async throws {
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
        for driver in drivers.isEmpty ? [manager.config.driver] : drivers {
            do {
                try await manager.collectGarbage(driver: driver)
            } catch {
                logger.error("session gc on \(driver) failed: \(String(describing: error))")
            }
        }
    }
}
#endif
