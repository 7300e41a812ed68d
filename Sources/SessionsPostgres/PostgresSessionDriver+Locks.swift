#if Postgres
import PostgresNIO
import Sessions

extension PostgresSessionDriver {
    /// How often a waiting lock asks again.
    static let lockPollInterval = Duration.milliseconds(10)

    /// A session lock for blocking routes: a PostgreSQL advisory lock, held on a pool connection
    /// leased for the request, so every instance sharing the database excludes the others, and
    /// a lock whose connection (or process) dies frees itself with it. Keyed by 64 bits of the
    /// session handle: two sessions sharing a key only wait for each other.
    public func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock {
        let key = Self.lockKey(id)
        let (acquired, acquiredContinuation) = AsyncThrowingStream<Void, any Error>.makeStream()
        let (released, releasedContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task { [client, logger, statementTimeout] in
            do {
                try await client.withConnection { connection in
                    try await Self.take(key, on: connection, wait: wait, logger: logger)
                    acquiredContinuation.yield()
                    await Self.hold(until: released, lease: lease)
                    // A connection that died took the lock with it (and a query on it may never answer).
                    guard !connection.isClosed else { return }
                    _ = try? await Deadline.run(within: statementTimeout) {
                        try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
                    }
                }
                acquiredContinuation.finish()
            } catch let error as SessionError {
                acquiredContinuation.finish(throwing: error)
            } catch {
                acquiredContinuation.finish(throwing: self.classify(error, operation: "take a session lock"))
            }
        }
        do {
            guard try await Deadline.run(within: wait + callTimeout, { try await Self.first(of: acquired) }) else {
                throw SessionError.unavailable(reason: "PostgreSQL at \(url) closed the session lock's connection")
            }
        } catch {
            holder.cancel()
            releasedContinuation.finish()
            if error is Deadline.Passed { throw SessionError.unavailable(reason: "PostgreSQL at \(url) did not answer a session lock in time") }
            throw error
        }
        return SessionLock {
            releasedContinuation.finish()
            await holder.value
        }
    }

    /// Whether `stream` yields before it ends.
    private static func first(of stream: AsyncThrowingStream<Void, any Error>) async throws -> Bool {
        for try await _ in stream { return true }
        return false
    }

    /// Asks for the lock every ``lockPollInterval`` until it is granted or `wait` has passed.
    private static func take(_ key: Int64, on connection: PostgresConnection, wait: Duration, logger: Logger) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while true {
            let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
            for try await granted in rows.decode(Bool.self) where granted { return }
            guard clock.now < deadline else { throw SessionError.lockTimeout(waited: wait) }
            try await Task.sleep(for: lockPollInterval)
        }
    }

    /// Returns when the lock is released or its lease has passed, whichever is first.
    private static func hold(until released: AsyncStream<Void>, lease: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in released {} }
            group.addTask { try? await Task.sleep(for: lease) }
            await group.next()
            group.cancelAll()
        }
    }

    /// The advisory lock key of `id`: the first 8 bytes of its handle.
    static func lockKey(_ id: SessionIdentifier) -> Int64 {
        SessionHandle(id).bytes.prefix(8).reduce(0) { $0 << 8 | Int64($1) }
    }
}
#endif
