import HTTPTypes
import Hummingbird
import SessionsHummingbird

/// A middleware that reads the request's Cookie header and adds `Vary: Cookie`, and nothing
/// else: the cost of being a session middleware at all, with no session.
struct FloorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = request.headers[values: .cookie]
        var response = try await next(request, context)
        response.headers.append(HTTPField(name: .vary, value: "Cookie"))
        return response
    }
}

/// The ceiling's route behind ``FloorMiddleware``, on the session-capable context.
func serveFloor() async throws {
    let router = Router(context: AppContext.self)
    router.add(middleware: FloorMiddleware())
    router.get("/count") { _, _ in "\(bareCount.add(1, ordering: .relaxed).newValue)" }
    try await serve(router)
}
