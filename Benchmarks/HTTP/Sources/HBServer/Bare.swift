import Hummingbird
import Synchronization

/// The bare server's counter.
let bareCount = Atomic<Int>(0)

/// The ceiling: the same route with a process-wide counter instead of a session.
func serveBare() async throws {
    let router = Router()
    router.get("/count") { _, _ in "\(bareCount.add(1, ordering: .relaxed).newValue)" }
    try await serve(router)
}
