#if Vapor
public import Sessions
import SessionsLogging
public import Vapor

extension Application {
    /// The session manager ``useSessionManager(_:every:drivers:)`` registered, or nil before.
    public var sessionManager: SessionManager? {
        storage[SessionManagerKey.self]
    }

    /// Registers `manager` with the app's lifecycle, in `configure`: when the app boots it runs
    /// the manager's boot step (``Sessions/SessionManager/open(drivers:)``: a bad setting or an
    /// unreachable store stops the app with a message naming the driver and the setting), then
    /// collects garbage every `interval` until shutdown, when it closes the drivers.
    ///
    /// ```swift
    /// let sessions = try SessionManager(config: .load(), observer: SessionLogging.observer(logger: app.logger))
    /// sessions.extend("redis") { context in RedisDriver(context: context) }
    /// app.useSessionManager(sessions)
    /// app.grouped(StartSessionMiddleware(manager: sessions)).get("counter") { req in … }
    /// ```
    ///
    /// It also warns at boot when cookies would go out without `Secure` while the server listens
    /// beyond this machine (``Sessions/SessionConfig/deploymentWarning(listeningOn:)``). The
    /// boot step runs when the app starts the async way (`app.execute()`, `app.startup()`); a
    /// synchronous `app.boot()` (VaporTesting's `app.testing()`) skips it, and drivers then open
    /// on first use. Shut the app down with `asyncShutdown()` so the drivers are closed.
    /// - Parameters:
    ///   - interval: The time between two gc runs; it complements the per-request lottery.
    ///   - drivers: The drivers opened at boot and collected (the configured default when empty).
    public func useSessionManager(_ manager: SessionManager, every interval: Duration = .seconds(600), drivers: [String] = []) {
        storage[SessionManagerKey.self] = manager
        lifecycle.use(SessionManagerLifecycle(manager: manager, interval: interval, drivers: drivers))
    }
}

/// The application storage key of ``Vapor/Application/sessionManager``.
private enum SessionManagerKey: StorageKey {
    typealias Value = SessionManager
}
#endif
