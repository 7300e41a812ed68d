import Hummingbird
import Sessions
import SessionsHummingbird
import SessionsPostgres

struct AppContext: StartSessionRequestContext {
    var coreContext: CoreRequestContextStorage
    var sessionSlot = SessionSlot()
    init(source: Source) { coreContext = .init(source: source) }
}

/// The small fixture as our sessions store it: ten keys, set when the session is new.
let fixture: [String: SessionValue] = [
    "user_id": 42, "name": "Ada Lovelace", "locale": "en-GB", "is_admin": false, "verified": true,
    "beta": false, "visits": 1, "plan_id": 3, "theme": "dark", "count": 0,
]

/// Our StartSessionMiddleware, configured by `SESSION_*` variables only (no config file), with
/// gc every `GC_EVERY`; `SESSION_DRIVER=database` is the PostgreSQL driver.
func serveOurs() async throws {
    let sessions = try SessionManager(config: try SessionConfig.load(file: ""), observer: SessionLogging.observer(logger: logger))
        .extendPostgres(logger: logger)
    let router = Router(context: AppContext.self)
    router.add(middleware: StartSessionMiddleware(manager: sessions))
    router.get("/count") { _, context in
        let session = try context.session
        if !session.isStored { session.put(fixture) }
        return "\(try session.increment("count"))"
    }
    try await serve(router, services: [SessionManagerService(manager: sessions, every: gcEvery, logger: logger)])
}
