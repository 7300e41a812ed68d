import Synchronization
import Vapor

// `vapor-server MODE`: serves `GET /count` on 127.0.0.1:$PORT.
//   bare       no sessions (the ceiling)
//   floor      an AsyncMiddleware that reads `Cookie` and adds `Vary: Cookie`, as Vapor runs one
//   sessions   Vapor's SessionsMiddleware on `.memory`
//   fluent     Vapor's SessionsMiddleware on Fluent's database sessions, PostgreSQL at
//              $DATABASE_URL, FLUENT_POOL_PER_LOOP connections per event loop (default 2),
//              its table created by Fluent's migration at start
//   ours       our StartSessionMiddleware (SessionsVapor), on the driver SESSION_DRIVER names

/// The small fixture as Vapor stores it: ten string values, set when the session is new.
let fixture: [String: String] = [
    "user_id": "42", "name": "Ada Lovelace", "locale": "en-GB", "is_admin": "false", "verified": "true",
    "beta": "false", "visits": "1", "plan_id": "3", "theme": "dark", "count": "0",
]

/// The bare server's counter.
let bareCount = Atomic<Int>(0)

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8080
let mode = CommandLine.arguments.dropFirst().first ?? ""
guard ["bare", "floor", "sessions", "fluent", "ours"].contains(mode) else {
    FileHandle.standardError.write(Data("usage: vapor-server bare|floor|sessions|fluent|ours\n".utf8))
    exit(2)
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let app = try await Application.make(Environment(name: "production", arguments: ["vapor-server"]))
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = port

if mode == "bare" {
    app.get("count") { _ in "\(bareCount.add(1, ordering: .relaxed).newValue)" }
} else if mode == "floor" {
    app.grouped(FloorMiddleware()).get("count") { _ in "\(bareCount.add(1, ordering: .relaxed).newValue)" }
} else if mode == "ours" {
    try useOurs(app, environment: environment)
} else {
    if mode == "fluent" {
        try await useFluentSessions(app, environment: environment)
    } else {
        app.sessions.use(.memory)
    }
    app.middleware.use(app.sessions.middleware)
    app.get("count") { request in
        let session = request.session
        if session.id == nil {
            for (key, value) in fixture { session.data[key] = value }
        }
        let count = (Int(session.data["count"] ?? "") ?? 0) + 1
        session.data["count"] = "\(count)"
        return "\(count)"
    }
}

do {
    try await app.execute()
} catch {
    app.logger.report(error: error)
}
try await app.asyncShutdown()
