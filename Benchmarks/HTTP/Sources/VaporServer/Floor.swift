import Vapor

/// What being an `AsyncMiddleware` costs on Vapor before any session work: reads the `Cookie`
/// header and adds `Vary: Cookie`, nothing else, run as Vapor runs every `AsyncMiddleware` (a
/// task on the global concurrency pool, and back to the event loop for the response). Our
/// middlewares run their async work on the event loop instead (SessionsVapor's
/// `EventLoopTaskExecutor`).
struct FloorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = request.headers[.cookie]
        let response = try await next.respond(to: request)
        response.headers.add(name: .vary, value: "Cookie")
        return response
    }
}
