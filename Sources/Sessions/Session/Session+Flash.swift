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
        state.withLock { state in
            Self.record(.put(key, .put(value)), in: &state)
            Self.record(.flash(key), in: &state)
        }
    }

    /// Flashes `true` under `key`.
    public func flash(_ key: String) {
        flash(key, true)
    }

    /// Stores `value` under `key` for this request only.
    public func now<T: Encodable & Sendable>(_ key: String, _ value: T) {
        state.withLock { state in
            Self.record(.put(key, .put(value)), in: &state)
            Self.record(.now(key), in: &state)
        }
    }

    /// Keeps all flash data for one more request.
    public func reflash() {
        state.withLock { state in
            Self.record(.keep(state.envelope.flashOld), in: &state)
        }
    }

    /// Keeps the given flash keys for one more request.
    public func keep(_ keys: String...) {
        keep(keys)
    }

    /// Keeps the given flash keys for one more request.
    public func keep(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        record(.keep(keys))
    }

    /// The keys flashed on this request (shown on the next one too).
    public var newFlashKeys: [String] { read { $0.envelope.flashNew } }

    /// The keys flashed by the previous request (removed at this request's save).
    public var oldFlashKeys: [String] { read { $0.envelope.flashOld } }

    /// Ages the flash data this request sees: removes the previous request's keys and makes
    /// this request's keys the previous ones. Recorded as an operation on exactly these keys, so
    /// an overlapping request's fresh flash is never aged by a request that did not see it.
    func ageFlashData(in state: inout State) {
        let (old, new) = (state.envelope.flashOld, state.envelope.flashNew)
        guard !old.isEmpty || !new.isEmpty else { return }
        Self.record(.age(consumed: old, promoted: new), in: &state)
    }
}
