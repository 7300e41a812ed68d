// The Vapor demo app: `swift run --traits Vapor sessions-vapor-demo` from the repository root; on
// PostgreSQL, `SESSION_DRIVER=database` and a URL with `--traits Vapor,Postgres`.
#if Vapor
import Foundation
import Sessions
import SessionsVaporDemoApp
import Vapor

let environment = try Environment.detect()
let app = try await Application.make(environment)
app.logger.logLevel = .info
do {
    let config = try SessionConfig.load()
    #if !Postgres
    if config.driver == "database" {
        throw Abort(.internalServerError, reason: "SESSION_DRIVER=database needs the Postgres trait: swift run --traits Vapor,Postgres sessions-vapor-demo")
    }
    #endif
    let variables = ProcessInfo.processInfo.environment
    guard let port = Int(variables["PORT"] ?? "8080"), (0...65535).contains(port) else {
        throw Abort(.internalServerError, reason: "PORT must be a port number, got \(variables["PORT"] ?? "")")
    }
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = port
    try VaporDemo.configure(app, config: config)
    app.logger.info("sessions Vapor demo on http://127.0.0.1:\(port) (driver: \(config.driver))")
    try await app.execute()
    try await app.asyncShutdown()
} catch {
    app.logger.critical("the demo could not start: \(error)")
    try? await app.asyncShutdown()
    exit(1)
}
#else
print("The Vapor demo needs the Vapor trait: swift run --traits Vapor sessions-vapor-demo")
#endif
