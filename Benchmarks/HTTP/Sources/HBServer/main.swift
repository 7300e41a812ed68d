import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

// `hb-server MODE`: serves `GET /count` on 127.0.0.1:$PORT.
//   bare         no sessions (the ceiling)
//   auth         HummingbirdAuth's SessionMiddleware on MemoryPersistDriver
//   ours         our StartSessionMiddleware; driver, lifetime, files, database URL... from
//                SESSION_* variables
//   floor        a middleware that reads the Cookie header and adds Vary, on our context type:
//                what being a session middleware costs before any session work
// GC_EVERY (seconds) sets how often our gc service, or HummingbirdAuth's tidy, runs.

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8080
let gcEvery = Duration.seconds(Int(environment["GC_EVERY"] ?? "") ?? 600)
let logger = {
    var logger = Logger(label: "hb-server")
    logger.logLevel = .warning
    return logger
}()

/// Runs `router` on 127.0.0.1:`port` until SIGTERM or SIGINT.
func serve<Context: RequestContext>(_ router: Router<Context>, services: [any Service] = []) async throws
where Context.Source == ApplicationRequestContextSource {
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: port)),
        services: services,
        logger: logger
    )
    try await app.runService()
}

switch CommandLine.arguments.dropFirst().first {
case "bare": try await serveBare()
case "auth": try await serveHummingbirdAuth()
case "ours": try await serveOurs()
case "floor": try await serveFloor()
default:
    FileHandle.standardError.write(Data("usage: hb-server bare|auth|ours\n".utf8))
    exit(2)
}
