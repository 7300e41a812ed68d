#if Hummingbird
public import Hummingbird
public import Logging
public import Sessions
import SessionsDemoShared
import SessionsHummingbird

/// Builds the demo: a session manager from `config` with the `counting` driver registered (and
/// `database`, PostgreSQL, with the Postgres trait), the routes, and the service that boots the
/// sessions, collects garbage and closes the drivers.
public struct DemoApplication: Sendable {
    /// The demo's session manager (tests reach its drivers through it).
    public let sessions: SessionManager
    /// The Hummingbird application, ready to run.
    public let application: Application<RouterResponder<DemoContext>>

    /// A demo serving on `host:port` with the sessions configured by `config`.
    /// - Parameter configure: runs after the built-in and demo drivers are registered, before
    ///   anything is built (tests register failing drivers there).
    /// - Throws: ``Sessions/SessionConfigError`` when `config` holds a bad value.
    public init(
        config: SessionConfig,
        host: String = "127.0.0.1",
        port: Int = 8080,
        logger: Logger = Logger(label: "sessions-demo"),
        configure: (SessionManager) -> Void = { _ in }
    ) throws {
        let sessions = try DemoSessions.make(config: config, logger: logger, configure: configure)

        let router = Router(context: DemoContext.self)
        DemoRoutes.add(to: router, sessions: sessions)
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sessions-demo"),
            logger: logger
        )
        application.addServices(SessionManagerService(manager: sessions, host: host, logger: logger))
        self.sessions = sessions
        self.application = application
    }
}
#endif
