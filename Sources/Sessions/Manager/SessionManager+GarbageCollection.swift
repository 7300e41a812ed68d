import Foundation

/// Garbage collection: on demand, or by Laravel's lottery after a request, off the response path.
extension SessionManager {
    struct GarbageCollectionState {
        var running: Set<String> = []
        var lastStarted: [String: Date] = [:]
        /// The latest lottery-started run per driver (at most one runs at a time).
        var pending: [String: Task<Void, Never>] = [:]
    }

    /// Runs `gc` on a driver now and reports how many sessions it removed.
    @discardableResult
    public func collectGarbage(driver name: String? = nil) async throws -> Int {
        let name = name ?? defaultDriver
        do {
            let removed = try await driver(name).gc()
            observer(.garbageCollected(driver: name, removed: removed))
            return removed
        } catch {
            observer(.storeError(driver: name, operation: "gc", message: String(describing: error)))
            throw error
        }
    }

    /// Runs gc once on each of `drivers` (the configured default when empty), handing each
    /// failure to `failed` and going on with the next: the scheduled run of the adapters'
    /// boot services.
    package func collectGarbage(drivers: [String], failed: (_ driver: String, _ error: any Error) -> Void) async {
        for driver in drivers.isEmpty ? [config.driver] : drivers {
            do {
                try await collectGarbage(driver: driver)
            } catch {
                failed(driver, error)
            }
        }
    }

    /// Draws the gc lottery (`lottery`, default 2 in 100) and, on a win, starts gc on its own
    /// task and returns at once. At most one run per driver at a time, and none sooner than
    /// `gc_min_interval` seconds after the last one started, so a busy server does not start
    /// hundreds of store scans a second.
    func collectGarbageByLottery(driver name: String? = nil) {
                guard lottery.chances > 0, drawLottery(outOf: lottery.outOf) < lottery.chances else { return }
        let name = name ?? defaultDriver
        let now = clock.now
        let minimumInterval = gcMinimumInterval
        garbageCollection.withLock { state in
            guard !state.running.contains(name) else { return }
            if let last = state.lastStarted[name], now.timeIntervalSince(last) < minimumInterval { return }
            state.running.insert(name)
            state.lastStarted[name] = now
            state.pending[name] = Task.detached { [self] in
                _ = try? await self.collectGarbage(driver: name)
                self.garbageCollection.withLock { _ = $0.running.remove(name) }
            }
        }
    }

    /// A number in `0..<outOf` (or 0), evenly spread. Not from the system's CSPRNG: a draw runs
    /// after every request and needs no secrecy, and a system call per request would cost more
    /// than the rest of the lottery. SplitMix64's mixing of a shared Weyl sequence.
    func drawLottery(outOf: Int) -> Int {
        guard outOf > 1 else { return 0 }
        var mixed = lotteryDraws.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return Int(mixed % UInt64(outOf))
    }

    /// Waits for the gc runs the lottery started; for tests and graceful shutdown.
    func waitForGarbageCollection() async {
        let pending = garbageCollection.withLock { state in
            defer { state.pending = [:] }
            return state.pending.values
        }
        for task in pending { await task.value }
    }
}
