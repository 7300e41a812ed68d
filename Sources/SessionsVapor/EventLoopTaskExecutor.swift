#if Vapor
import Vapor

/// A task executor that runs its jobs on one NIO event loop.
///
/// Vapor runs an `AsyncMiddleware` in a task on the global concurrency pool: the request hops
/// from its event loop to a pool thread and its response back again, two thread handoffs that
/// cost more server CPU than the whole session lifecycle on the memory driver. The adapter's
/// middlewares instead run their async work in a task that prefers the request's event loop, as
/// Vapor runs a synchronous route handler: a job enqueued from the loop itself is queued without
/// waking a thread. Awaits on other executors (a thread pool for the file driver's blocking
/// calls, a database client) come back to the loop; the lifecycle never blocks it.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Answers `request` with `middleware`'s async `respond(to:chainingTo:)` run on the request's
    /// event loop: what each of the adapter's middlewares does in place of `AsyncMiddleware`'s
    /// default.
    static func respond(
        to request: Request, chainingTo next: any Responder, with middleware: some AsyncMiddleware
    ) -> EventLoopFuture<Response> {
        let promise = request.eventLoop.makePromise(of: Response.self)
        let responder = AsyncBasicResponder { request in try await next.respond(to: request).get() }
        Task(executorPreference: EventLoopTaskExecutor(request.eventLoop)) {
            do {
                promise.succeed(try await middleware.respond(to: request, chainingTo: responder))
            } catch {
                promise.fail(error)
            }
        }
        return promise.futureResult
    }
}
#endif
