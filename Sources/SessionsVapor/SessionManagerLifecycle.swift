#if Vapor
import Sessions
import Synchronization
import Vapor

/// Boots a session manager with the app, collects garbage while it runs and closes the drivers
/// at shutdown: the lifecycle handler ``Vapor/Application/useSessionManager(_:every:drivers:)``
/// registers.
final class SessionManagerLifecycle: LifecycleHandler {
    let manager: SessionManager
    let interval: Duration
    let drivers: [String]
    /// The gc loop, from boot to shutdown.
    private let collector = Mutex<Task<Void, Never>?>(nil)

    init(manager: SessionManager, interval: Duration, drivers: [String]) {
        self.manager = manager
        self.interval = interval
        self.drivers = drivers
    }

    /// The boot step; its error stops the app.
    func willBootAsync(_ application: Application) async throws {
        let host = application.http.server.configuration.hostname
        if let warning = manager.config.deploymentWarning(listeningOn: host) { application.logger.warning("\(warning)") }
        do {
            try await manager.open(drivers: drivers)
        } catch {
            application.logger.critical("the sessions could not start: \(String(describing: error))")
            await manager.close()
            throw error
        }
    }

    func didBootAsync(_ application: Application) async throws {
        let logger = application.logger
        let task = Task { [manager, interval, drivers] in
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    break
                }
                await manager.collectGarbage(drivers: drivers) { driver, error in
                    logger.error("session gc on \(driver) failed: \(String(describing: error))")
                }
            }
        }
        collector.withLock { $0 = task }
    }

    func shutdownAsync(_ application: Application) async {
        let task = collector.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await manager.close()
    }
}
#endif
