import Dispatch

/// Where calls that may block for long run (waiting for a lock another process holds), apart
/// from Swift's cooperative pool: a task that blocks a pool thread stalls every task waiting for
/// one, and a two-core machine has two. Dispatch adds threads to this queue while its calls
/// block, so waiters never starve each other either.
enum BlockingCalls {
    private static let queue = DispatchQueue(label: "sessions.blocking-calls", attributes: .concurrent)

    /// Runs `work` on the queue and returns its result to the awaiting task.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }
}
