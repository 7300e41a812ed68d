import Synchronization

/// Whether a driver's store is down, so an outage is reported when it begins, when its reason
/// changes and when it ends, not once per failing request (a database that is down for a
/// minute under 1,000 requests a second would otherwise log 60,000 lines).
final class StoreOutage: Sendable {
    /// The fast path of every successful call: one relaxed load while the store is up.
    private let isDown = Atomic<Bool>(false)
    private let reason = Locked<String?>(nil)

    /// Records a failure with `reason`; returns whether it starts an outage or changes its reason.
    func fail(_ reason: String) -> Bool {
        let changed = self.reason.withLock { current in
            defer { current = reason }
            return current != reason
        }
        isDown.store(true, ordering: .relaxed)
        return changed
    }

    /// Records a success; returns whether it ends an outage.
    func succeed() -> Bool {
        guard isDown.load(ordering: .relaxed) else { return false }
        return reason.withLock { current in
            defer { current = nil }
            isDown.store(false, ordering: .relaxed)
            return current != nil
        }
    }
}
