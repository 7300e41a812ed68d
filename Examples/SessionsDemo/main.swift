// The demo app: `swift run --traits Hummingbird sessions-demo` from the repository root; on
// PostgreSQL, `SESSION_DRIVER=database` and a URL with `--traits Hummingbird,Postgres`.
#if Hummingbird
import Foundation
import Hummingbird
import Logging
import Sessions
import SessionsDemoApp

var logger = Logger(label: "sessions-demo")
logger.logLevel = .info
do {
    let config = try SessionConfig.load()
    #if !Postgres
    if config.driver == "database" {
        throw DemoError(message: "SESSION_DRIVER=database needs the Postgres trait: swift run --traits Hummingbird,Postgres sessions-demo")
    }
    #endif
    let environment = ProcessInfo.processInfo.environment
    guard let port = Int(environment["PORT"] ?? "8080"), (0...65535).contains(port) else {
        throw DemoError(message: "PORT must be a port number, got \(environment["PORT"] ?? "")")
    }
    let demo = try DemoApplication(config: config, port: port, logger: logger)
    logger.info("sessions demo on http://127.0.0.1:\(port) (driver: \(config.driver))")
    try await demo.application.runService()
} catch {
    logger.critical("the demo could not start: \(error)")
    exit(1)
}

struct DemoError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
#else
print("The demo needs the Hummingbird trait: swift run --traits Hummingbird sessions-demo")
#endif
