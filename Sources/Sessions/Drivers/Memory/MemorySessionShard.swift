extension MemorySessionDriver {
    /// One stored session: 32 bytes beside its ID.
    struct Entry {
        var payload: [UInt8]
        /// The deadline, in seconds since 1970.
        var expiresAt: Double
        var createdAt: Double
        /// 32 bits keep the entry at 32 bytes; a version would have to wrap within one
        /// request's read-to-save window to be mistaken for another.
        var version: UInt32
        /// Set on each access of a regular session; the CLOCK hand clears it once before
        /// evicting the entry.
        var referenced = false
        /// Whether a request after the one that created the session presented it (read it): the
        /// session has left probation.
        var regular = false

        /// Whether the session is live at `now` (seconds since 1970): still so at its deadline.
        func isLive(at now: Double) -> Bool { now <= expiresAt }
    }

    /// One shard's sessions, in two segments (segmented LRU). A new session starts on
    /// probation, in creation order; once a later request presents it (``markPresented(at:)``)
    /// it is regular and ages by the CLOCK algorithm (approximate LRU). A full shard evicts the
    /// oldest session on probation while probation holds more than a tenth of the shard, and
    /// only then a regular one. A flood of sessions that never come back (crawlers, cookieless
    /// bots on a page that renders the CSRF token) thus evicts its own sessions, not those of
    /// returning users.
    struct Shard {
        let capacity: Int
        var entries: [SessionIdentifier: Entry] = [:]
        /// The user keys of the sessions that have one.
        var owners: [SessionIdentifier: String] = [:]
        /// The sessions on probation, oldest first; may hold IDs promoted or removed since.
        var probation = IDQueue()
        /// The regular sessions, for the CLOCK hand; may hold IDs removed since.
        var regulars = IDQueue()
        /// How many stored sessions are on probation.
        var onProbation = 0
        /// The last version handed out; versions never repeat within the shard.
        var nextVersion: UInt32 = 0

        /// Probation is evicted first while it holds more than this many sessions.
        var probationFloor: Int { capacity / 10 }

        /// Stores `entry`, first making room if the shard is full; returns how many live
        /// sessions were evicted. A new session goes on probation; a stored one keeps its segment.
        mutating func store(_ id: SessionIdentifier, _ entry: Entry, owner: String?, now: Double) -> Int {
            if let owner {
                owners[id] = owner
            } else if !owners.isEmpty {
                owners[id] = nil
            }
            if let index = entries.index(forKey: id) {
                var replacement = entry
                replacement.referenced = true
                replacement.regular = entries.values[index].regular
                entries.values[index] = replacement
                return 0
            }
            var evicted = 0
            while entries.count >= capacity, let index = nextVictim(now: now) {
                if entries.values[index].isLive(at: now) { evicted += 1 }
                remove(at: index)
            }
            entries[id] = entry
            onProbation += 1
            probation.append(id)
            compactQueues()
            return evicted
        }

        /// Records that a request presented the session at `index` of ``entries``: it leaves
        /// probation, or, when regular already, is marked recently used.
        mutating func markPresented(at index: Dictionary<SessionIdentifier, Entry>.Index) {
            guard entries.values[index].regular else {
                entries.values[index].regular = true
                onProbation -= 1
                regulars.append(entries.keys[index])
                return
            }
            entries.values[index].referenced = true
        }

        /// Removes the session at `index` of ``entries`` and its user key.
        mutating func remove(at index: Dictionary<SessionIdentifier, Entry>.Index) {
            let (id, entry) = entries.remove(at: index)
            if !entry.regular { onProbation -= 1 }
            if !owners.isEmpty { owners[id] = nil }
        }

        /// Removes every session expired at `now`; returns how many.
        mutating func removeExpired(now: Double) -> Int {
            let before = entries.count
            entries = entries.filter { $0.value.isLive(at: now) }
            if !owners.isEmpty { owners = owners.filter { entries[$0.key] != nil } }
            onProbation = entries.values.reduce(0) { $0 + ($1.regular ? 0 : 1) }
            compactQueues()
            return before - entries.count
        }

        /// The session to evict next: the oldest on probation while probation is above its floor,
        /// else the CLOCK hand's choice among regular sessions, else the oldest on probation.
        private mutating func nextVictim(now: Double) -> Dictionary<SessionIdentifier, Entry>.Index? {
            if onProbation > probationFloor, let index = oldestOnProbation() { return index }
            return clockVictim(now: now) ?? oldestOnProbation()
        }

        /// Pops stale IDs off probation up to the oldest session still on it.
        private mutating func oldestOnProbation() -> Dictionary<SessionIdentifier, Entry>.Index? {
            while let id = probation.popFirst() {
                if let index = entries.index(forKey: id), !entries.values[index].regular { return index }
            }
            return nil
        }

        /// Moves the CLOCK hand over the regular sessions: one recently used gets a second chance
        /// (its mark cleared, back in the queue); the first one without a mark, or expired, is
        /// the victim.
        private mutating func clockVictim(now: Double) -> Dictionary<SessionIdentifier, Entry>.Index? {
            while let id = regulars.popFirst() {
                guard let index = entries.index(forKey: id), entries.values[index].regular else { continue }
                guard entries.values[index].referenced, entries.values[index].isLive(at: now) else { return index }
                entries.values[index].referenced = false
                regulars.append(id)
            }
            return nil
        }

        /// Drops the queues' stale IDs once they make up most of them: amortized O(1).
        mutating func compactQueues() {
            let entries = self.entries
            probation.compact(keepingAbout: onProbation) { entries[$0].map { !$0.regular } ?? false }
            regulars.compact(keepingAbout: entries.count - onProbation) { entries[$0]?.regular ?? false }
        }
    }

    /// A FIFO queue of IDs over an array and a head index.
    struct IDQueue {
        private var items: [SessionIdentifier] = []
        private var head = 0

        mutating func append(_ id: SessionIdentifier) {
            items.append(id)
        }

        mutating func popFirst() -> SessionIdentifier? {
            guard head < items.count else { return nil }
            defer { head += 1 }
            return items[head]
        }

        /// Drops the consumed front once it is most of the array, and keeps only the IDs
        /// `isCurrent` accepts once the queue holds over twice the `current` it should.
        mutating func compact(keepingAbout current: Int, _ isCurrent: (SessionIdentifier) -> Bool) {
            if head > 64, head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            if items.count - head > 2 * current + 64 {
                items = items[head...].filter(isCurrent)
                head = 0
            }
        }
    }
}
