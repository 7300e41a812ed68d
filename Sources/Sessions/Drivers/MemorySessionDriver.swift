import Foundation

/// An in-process store: fast, safe under concurrent use, gone when the process exits.
///
/// - Sharded: IDs spread over independently locked shards of at most ``sessionsPerShard``
///   sessions, so a shard that grows and rehashes stalls only the requests that land on it,
///   never all of them, and never for long.
/// - Bounded: when it holds ``maximumSessions`` (approximately: the cap is split evenly over
///   the shards), an insert evicts a session of its shard (O(1) amortized) and reports an
///   ``SessionEvent/evicted(driver:count:)`` event. A crawler or a flood of new visitors cannot
///   exhaust memory, nor evict returning users: a new session is on probation until a later
///   request presents it, and the oldest sessions on probation go first (segmented LRU: only
///   when probation is down to a tenth of the cap do regular sessions go, least recently active
///   first by the CLOCK algorithm).
/// - Each session expires at its own deadline (``SessionMetadata/expiresAt``), enforced on read;
///   ``gc()`` removes expired entries. User keys are kept beside the sessions that have one, so a
///   guest's session costs nothing for them.
///
/// - Atomic: conditional writes (``SessionDriverCapabilities/conditionalWrites``) compare versions under the shard's
///   lock, so a session's read-merge-write is atomic within the process.
/// - Per-session locks for blocking routes (``SessionDriverCapabilities/sessionLocks``), within the process.
///
/// Only one process sees the sessions, so use a shared store (files, a database) once an app
/// runs on several instances.
public final class MemorySessionDriver: SessionDriver {
    /// Conditional writes and session locks, within the process.
    public var capabilities: SessionDriverCapabilities { [.conditionalWrites, .sessionLocks] }

    /// The most sessions held before eviction starts.
    public let maximumSessions: Int

    private let shards: [Locked<Shard>]
    private let clock: SessionClock
    private let name: String
    private let report: SessionEventObserver
    private let locks = Locked<[SessionIdentifier: HeldLock]>([:])

    /// The most sessions held before eviction (`memory_max_sessions`, `SESSION_MEMORY_MAX_SESSIONS`).
    public static let maximumSessionsSetting = SessionSetting<Int>(
        "memory_max_sessions", default: 100_000, format: .integer(in: 1...100_000_000, unit: "sessions"),
        summary: "The most sessions the memory driver holds before it evicts: first new ones never presented again, then the least recently active.")
    /// The driver's own settings, registered with it.
    public static let settings: [any AnySessionSetting] = [maximumSessionsSetting]

    /// A driver from the manager's context (``maximumSessionsSetting``, clock, events).
    public convenience init(context: SessionDriverContext) {
        self.init(
            maximumSessions: context[Self.maximumSessionsSetting],
            clock: context.clock,
            name: context.name,
            report: context.report
        )
    }

    /// A driver that holds at most about `maximumSessions`, expiring each at its deadline read
    /// against `clock`.
    public init(
        maximumSessions: Int = 100_000,
        clock: SessionClock = .system,
        name: String = "memory",
        report: @escaping SessionEventObserver = { _ in }
    ) {
        let cap = max(1, maximumSessions)
        let shardCount = (cap + Self.sessionsPerShard - 1) / Self.sessionsPerShard
        let perShard = (cap + shardCount - 1) / shardCount
        self.maximumSessions = cap
        self.shards = (0..<shardCount).map { _ in Locked(Shard(capacity: perShard)) }
        self.clock = clock
        self.name = name
        self.report = report
    }

    /// The most sessions one shard holds. Just under three quarters of 2^14: a full shard's hash
    /// table then sits near its maximum load factor instead of just past a doubling, which keeps
    /// memory per session low, and a rehash moves at most ~12,000 entries.
    static let sessionsPerShard = 12_000

    /// How many sessions the driver holds, expired ones not yet collected included.
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.withLock { $0.entries.count } }
    }

    public func read(_ id: SessionIdentifier) async throws -> StoredSession? {
        let now = clock.now.timeIntervalSince1970
        return shard(for: id).withLock { shard in
            // Through the index: `entries[id]?.referenced = true` would allocate its accessor's frame.
            guard let index = shard.entries.index(forKey: id) else { return nil }
            let entry = shard.entries.values[index]
            guard entry.isLive(at: now) else {
                shard.remove(at: index)
                return nil
            }
            shard.markPresented(at: index)
            return StoredSession(
                payload: entry.payload,
                metadata: SessionMetadata(
                    expiresAt: Date(timeIntervalSince1970: entry.expiresAt),
                    createdAt: Date(timeIntervalSince1970: entry.createdAt),
                    userKey: shard.owners.isEmpty ? nil : shard.owners[id]
                ),
                version: UInt64(entry.version)
            )
        }
    }

    public func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) async throws {
        _ = store(id, payload: payload, metadata: metadata, ifVersion: nil, unconditionally: true)
    }

    public func write(
        _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?
    ) async throws -> ConditionalWrite {
        store(id, payload: payload, metadata: metadata, ifVersion: expected, unconditionally: false)
    }

    private func store(
        _ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?, unconditionally: Bool
    ) -> ConditionalWrite {
        let now = clock.now.timeIntervalSince1970
        let (result, evicted) = shard(for: id).withLock { shard -> (ConditionalWrite, Int) in
            if !unconditionally {
                let live = shard.entries[id].flatMap { $0.isLive(at: now) ? $0.version : nil }
                switch (expected, live) {
                case (nil, nil): break
                case (nil, .some): return (.conflict, 0)
                case (.some, nil): return (.missing, 0)
                case (.some(let expected), .some(let live)): if expected != UInt64(live) { return (.conflict, 0) }
                }
            }
            shard.nextVersion &+= 1
            let version = shard.nextVersion
            let entry = Entry(
                payload: Self.compact(payload),
                expiresAt: metadata.expiresAt.timeIntervalSince1970,
                createdAt: metadata.createdAt.timeIntervalSince1970,
                version: version
            )
            let evicted = shard.store(id, entry, owner: metadata.userKey, now: now)
            return (.written(version: UInt64(version)), evicted)
        }
        if evicted > 0 { report(.evicted(driver: name, count: evicted)) }
        return result
    }

    public func lock(_ id: SessionIdentifier, lease: Duration, wait: Duration) async throws -> SessionLock {
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: wait)
        let token = UInt64.random(in: 1...UInt64.max)
        while true {
            let now = clock.now
            let acquired = locks.withLock { held in
                if let holder = held[id], holder.expires > now { return false }
                held[id] = HeldLock(token: token, expires: now.advanced(by: lease))
                return true
            }
            if acquired { break }
            guard now < giveUp else { throw SessionError.lockTimeout(waited: wait) }
            try await Task.sleep(for: .milliseconds(5))
        }
        return SessionLock { [locks] in
            locks.withLock { held in
                if held[id]?.token == token { held[id] = nil }
            }
        }
    }

    /// `payload` without spare capacity: the encoder reserves by estimate, and a stored session
    /// should cost only its bytes.
    private static func compact(_ payload: [UInt8]) -> [UInt8] {
        payload.capacity > payload.count + 16 ? Array(payload[...]) : payload
    }

    /// The holder of a session lock: released by its token, or free once `expires` passes.
    struct HeldLock {
        var token: UInt64
        var expires: ContinuousClock.Instant
    }

    public func destroy(_ id: SessionIdentifier) async throws {
        shard(for: id).withLock { shard in
            if let index = shard.entries.index(forKey: id) { shard.remove(at: index) }
            shard.compactQueues()
        }
    }

    public func touch(_ id: SessionIdentifier, metadata: SessionMetadata) async throws -> Bool {
        let now = clock.now.timeIntervalSince1970
        return shard(for: id).withLock { shard in
            guard let index = shard.entries.index(forKey: id), shard.entries.values[index].isLive(at: now) else {
                return false
            }
            shard.entries.values[index].expiresAt = metadata.expiresAt.timeIntervalSince1970
            shard.markPresented(at: index)
            return true
        }
    }

    public func gc() async throws -> Int {
        let now = clock.now.timeIntervalSince1970
        var removed = 0
        for shard in shards {
            // One shard at a time: requests on the other shards go on meanwhile.
            removed += shard.withLock { $0.removeExpired(now: now) }
        }
        return removed
    }

    private func shard(for id: SessionIdentifier) -> Locked<Shard> {
        shards[Int(id.shardSeed % UInt64(shards.count))]
    }
}
