import Sessions
import SessionsVapor
import Vapor

/// The small fixture as our sessions store it: ten keys, set when the session is new.
let ourFixture: [String: SessionValue] = [
    "user_id": 42, "name": "Ada Lovelace", "locale": "en-GB", "is_admin": false, "verified": true,
    "beta": false, "visits": 1, "plan_id": 3, "theme": "dark", "count": 0,
]

/// Our StartSessionMiddleware on `app`, configured by `SESSION_*` variables only (no config
/// file), with gc every `GC_EVERY` seconds: the same route as the Hummingbird server's `ours`.
func useOurs(_ app: Application, environment: [String: String]) throws {
    let sessions = try SessionManager(config: try SessionConfig.load(file: ""), observer: SessionLogging.observer(logger: app.logger))
    app.useSessionManager(sessions, every: .seconds(Int(environment["GC_EVERY"] ?? "") ?? 600))
    app.grouped(StartSessionMiddleware(manager: sessions)).get("count") { request in
        let session = try request.managedSession
        if !session.isStored { session.put(ourFixture) }
        return "\(try session.increment("count"))"
    }
}
