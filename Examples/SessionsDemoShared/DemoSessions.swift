#if Logging
public import Logging
public import Sessions
import SessionsLogging
#if Postgres
import SessionsPostgres
#endif

/// The demos' session manager, whichever framework serves them.
public enum DemoSessions {
    /// A manager for `config` logging to `logger`, with the `counting` driver registered (and
    /// `database`, PostgreSQL, with the Postgres trait).
    /// - Parameter configure: runs after the demo's drivers are registered (tests register
    ///   failing drivers there).
    /// - Throws: ``Sessions/SessionConfigError`` when `config` holds a bad value.
    public static func make(config: SessionConfig, logger: Logger, configure: (SessionManager) -> Void = { _ in }) throws -> SessionManager {
        let sessions = try SessionManager(config: config, observer: SessionLogging.observer(logger: logger))
        sessions.extend("counting", settings: [CountingSessionDriver.logSetting]) { context in
            CountingSessionDriver(
                wrapping: FileSessionDriver(context: context),
                logsOperations: context[CountingSessionDriver.logSetting],
                logger: logger
            )
        }
        #if Postgres
        sessions.extendPostgres()
        #endif
        configure(sessions)
        return sessions
    }
}
#endif
