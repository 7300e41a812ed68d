#if Postgres
import Synchronization

/// Runs work that may hang (a pool waiting for a database that is gone, a query to a server
/// that stopped answering) and gives up after a limit. Past the limit the work is cancelled and
/// not awaited: its result, when it comes, is dropped.
enum Deadline {
    /// Thrown when the limit passes first.
    struct Passed: Error {
        let limit: Duration
    }

    static func run<Value: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let race = Race<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation, body, limit: limit)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The work, its timer and the caller's continuation: the first to finish resumes the
    /// caller, exactly once, and stops the other.
    final class Race<Value: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var finished: Result<Value, any Error>?
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Value, any Error>, _ body: @escaping @Sendable () async throws -> Value, limit: Duration) {
            let early = state.withLock { state in
                if state.finished == nil { state.continuation = continuation }
                return state.finished
            }
            if let early { return continuation.resume(with: early) }
            let work = Task {
                do { self.finish(.success(try await body())) } catch { self.finish(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                self.finish(.failure(Passed(limit: limit)))
            }
            let done = state.withLock { state in
                state.work = work
                state.timer = timer
                return state.finished != nil
            }
            if done { work.cancel(); timer.cancel() }
        }

        /// Resumes the caller with `result` unless another finisher came first.
        func finish(_ result: Result<Value, any Error>) {
            let (continuation, work, timer) = state.withLock { state in
                guard state.finished == nil else { return (nil, nil, nil) as (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, Task<Void, Never>?) }
                state.finished = result
                defer { state.continuation = nil }
                return (state.continuation, state.work, state.timer)
            }
            continuation?.resume(with: result)
            timer?.cancel()
            if case .failure = result { work?.cancel() }
        }
    }
}
#endif
