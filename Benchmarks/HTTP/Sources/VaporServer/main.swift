import Synchronization
import Vapor

// `vapor-server MODE`: serves `GET /count` on 127.0.0.1:$PORT.
//   bare       no sessions (the ceiling)
//   sessions   Vapor's SessionsMiddleware on `.memory`

/// The small fixture as Vapor stores it: ten string values, set when the session is new.
let fixture: [String: String] = [
    "user_id": "42", "name": "Ada Lovelace", "locale": "en-GB", "is_admin": "false", "verified": "true",
    "beta": "false", "visits": "1", "plan_id": "3", "theme": "dark", "count": "0",
]

/// The bare server's counter.
let bareCount = Atomic<Int>(0)

let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8080
let mode = CommandLine.arguments.dropFirst().first ?? ""
guard mode == "bare" || mode == "sessions" else {
    FileHandle.standardError.write(Data("usage: vapor-server bare|sessions\n".utf8))
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
} else {
    app.sessions.use(.memory)
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
