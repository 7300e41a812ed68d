/// Flash data with Laravel's semantics.
///
/// | call | visible on this request | on the next request | after that |
/// |---|---|---|---|
/// | `flash(key, value)` | yes | yes | gone |
/// | `now(key, value)` | yes | gone | gone |
/// | `reflash()` | keeps every flashed key one more request | | |
/// | `keep(keys)` | keeps the given keys one more request | | |
///
/// Flash data ages once per request, when the session is saved: keys flashed by the previous
/// request are removed, and keys flashed by this one become the previous request's.
extension Session {
    /// Stores `value` under `key` for this request and the next one.
    public func flash<T: Encodable & Sendable>(_ key: String, _ value: T) {
        mutate { state in
            state.envelope.entries[key] = .put(value)
            Self.append([key], to: &state.envelope.flashNew)
            state.envelope.flashOld.removeAll { $0 == key }
        }
    }

    /// Flashes `true` under `key`.
    public func flash(_ key: String) {
        flash(key, true)
    }

    /// Stores `value` under `key` for this request only.
    public func now<T: Encodable & Sendable>(_ key: String, _ value: T) {
        mutate { state in
            state.envelope.entries[key] = .put(value)
            Self.append([key], to: &state.envelope.flashOld)
        }
    }

    /// Keeps all flash data for one more request.
    public func reflash() {
        mutate { state in
            Self.append(state.envelope.flashOld, to: &state.envelope.flashNew)
            state.envelope.flashOld = []
        }
    }

    /// Keeps the given flash keys for one more request.
    public func keep(_ keys: String...) {
        keep(keys)
    }

    /// Keeps the given flash keys for one more request.
    public func keep(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        mutate { state in
            Self.append(keys, to: &state.envelope.flashNew)
            state.envelope.flashOld.removeAll { keys.contains($0) }
        }
    }

    /// The keys flashed on this request (shown on the next one too).
    public var newFlashKeys: [String] { read { $0.envelope.flashNew } }

    /// The keys flashed by the previous request (removed at this request's save).
    public var oldFlashKeys: [String] { read { $0.envelope.flashOld } }

    /// Ages flash data: removes the previous request's keys, and makes this request's keys the
    /// previous ones. Returns whether anything changed (then the session must be written).
    @discardableResult
    func ageFlashData(in state: inout State) -> Bool {
        guard !state.envelope.flashOld.isEmpty || !state.envelope.flashNew.isEmpty else { return false }
        for key in state.envelope.flashOld { state.envelope.entries[key] = nil }
        state.envelope.flashOld = state.envelope.flashNew
        state.envelope.flashNew = []
        state.isDirty = true
        return true
    }

    private static func append(_ keys: [String], to list: inout [String]) {
        for key in keys where !list.contains(key) { list.append(key) }
    }
}
