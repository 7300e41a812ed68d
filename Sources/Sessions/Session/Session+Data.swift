/// The data API: Laravel's and Goravel's verbs over string keys.
extension Session {
    /// The value under `key` as `T`; nil when the key is missing, null, or holds another type.
    public func get<T: Decodable>(_ key: String, as type: T.Type = T.self) -> T? {
        read { $0.envelope.entries[key]?.value(as: type) }
    }

    /// The value under `key` as `T`, or `defaultValue` when it is missing or of another type.
    public func get<T: Decodable>(_ key: String, default defaultValue: @autoclosure () -> T) -> T {
        get(key, as: T.self) ?? defaultValue()
    }

    /// Stores `value` under `key`, replacing what was there. `nil` stores null: the key then
    /// ``exists(_:)-(String...)`` but does not ``has(_:)-(String...)``.
    public func put<T: Encodable & Sendable>(_ key: String, _ value: T) {
        record(.put(key, .put(value)))
    }

    /// Stores several values at once; other keys are kept.
    ///
    /// ```swift
    /// session.put(["user_id": 42, "name": "Ada"])
    /// ```
    public func put(_ values: [String: SessionValue]) {
        state.withLock { state in
            for (key, value) in values { Self.record(.put(key, .put(value)), in: &state) }
        }
    }

    /// Returns the value under `key` as `T` and removes the key.
    @discardableResult
    public func pull<T: Decodable>(_ key: String, as type: T.Type = T.self) -> T? {
        let value = get(key, as: type)
        forget(key)
        return value
    }

    /// Returns the value under `key` as `T`, or `defaultValue`, and removes the key.
    public func pull<T: Decodable>(_ key: String, default defaultValue: @autoclosure () -> T) -> T {
        pull(key, as: T.self) ?? defaultValue()
    }

    /// Removes each key; missing keys are ignored.
    public func forget(_ keys: String...) {
        forget(keys)
    }

    /// Removes each key; missing keys are ignored, and forgetting only missing keys changes
    /// nothing (a page that pulls an absent flash key stores no session and sends no cookie).
    public func forget(_ keys: [String]) {
        state.withLock { state in
            let present = keys.filter { state.envelope.entries[$0] != nil }
            guard !present.isEmpty else { return }
            Self.record(.forget(present), in: &state)
        }
    }

    /// Every key the session holds, sorted (SCS's and Fiber's `Keys`).
    public func keys() -> [String] {
        read { $0.envelope.entries.keys.sorted() }
    }

    /// Removes every value, the flash lists and the CSRF token (a new token is made on next use).
    public func flush() {
        record(.flush)
    }

    /// Whether every key is present and not null.
    public func has(_ keys: String...) -> Bool { has(keys) }

    /// Whether every key is present and not null.
    public func has(_ keys: [String]) -> Bool {
        read { state in keys.allSatisfy { state.envelope.entries[$0].map { !$0.isNull } ?? false } }
    }

    /// Whether at least one key is present and not null.
    public func hasAny(_ keys: String...) -> Bool {
        read { state in keys.contains { state.envelope.entries[$0].map { !$0.isNull } ?? false } }
    }

    /// Whether every key is present, even with a null value.
    public func exists(_ keys: String...) -> Bool { exists(keys) }

    /// Whether every key is present, even with a null value.
    public func exists(_ keys: [String]) -> Bool {
        read { state in keys.allSatisfy { state.envelope.entries[$0] != nil } }
    }

    /// Whether any key is absent: the opposite of ``exists(_:)-(String...)``.
    public func missing(_ keys: String...) -> Bool { !exists(keys) }

    /// Every value, in dynamic form (see ``SessionValue``). Values that cannot be read are left out.
    public func all() -> [String: SessionValue] {
        read { state in state.envelope.entries.compactMapValues { $0.value(as: SessionValue.self) } }
    }

    /// The values of the given keys that exist.
    public func only(_ keys: [String]) -> [String: SessionValue] {
        let wanted = Set(keys)
        return all().filter { wanted.contains($0.key) }
    }

    /// Every value except those of the given keys.
    public func except(_ keys: [String]) -> [String: SessionValue] {
        let unwanted = Set(keys)
        return all().filter { !unwanted.contains($0.key) }
    }

    /// Adds `amount` to the integer under `key` (a missing or null key counts as 0) and returns
    /// the new value.
    ///
    /// The save merges it as an operation, not a value: when overlapping requests increment
    /// the same key, every increment is counted.
    /// - Throws: ``SessionError/typeMismatch(key:expected:)`` when the key holds something other
    ///   than an integer, ``SessionError/overflow(key:)`` when the sum does not fit in `Int`.
    @discardableResult
    public func increment(_ key: String, by amount: Int = 1) throws -> Int {
        try state.withLock { state in
            var current = 0
            if let entry = state.envelope.entries[key] {
                if let value = entry.intValue {
                    current = value
                } else if !entry.isNull {
                    throw SessionError.typeMismatch(key: key, expected: "an integer")
                }
            }
            let (sum, overflow) = current.addingReportingOverflow(amount)
            guard !overflow else { throw SessionError.overflow(key: key) }
            Self.record(.increment(key, by: amount), in: &state)
            return sum
        }
    }

    /// Subtracts `amount` from the integer under `key`; see ``increment(_:by:)``.
    @discardableResult
    public func decrement(_ key: String, by amount: Int = 1) throws -> Int {
        guard amount != Int.min else { throw SessionError.overflow(key: key) }
        return try increment(key, by: -amount)
    }

    /// The value under `key` if it is present and not null; otherwise computes one with `make`,
    /// stores it and returns it.
    public func remember<T: Codable & Sendable>(_ key: String, _ make: () throws -> T) rethrows -> T {
        if let existing = get(key, as: T.self) { return existing }
        let value = try make()
        put(key, value)
        return value
    }

    /// Appends `value` to the array under `key` (a missing key starts a new array).
    /// - Throws: ``SessionError/typeMismatch(key:expected:)`` when the key holds something other
    ///   than an array, ``SessionError/unencodable(key:reason:)`` when `value` cannot be encoded.
    public func push<T: Encodable & Sendable>(_ key: String, _ value: T) throws {
        let element = try SessionEntry.put(value).encoded(key: key)
        try state.withLock { state in
            if let entry = state.envelope.entries[key], !entry.isNull, SessionOperation.arrayElements(of: entry) == nil {
                throw SessionError.typeMismatch(key: key, expected: "an array")
            }
            Self.record(.push(key, element: element), in: &state)
        }
    }
}

/// A typed session key, declared once and used without repeating the type:
///
/// ```swift
/// extension SessionKey where Value == Int { static let userID = SessionKey("user_id") }
/// session[.userID] = 42
/// let id = session[.userID]        // Int?
/// ```
public struct SessionKey<Value: Codable & Sendable>: Sendable, Hashable {
    /// The string key the value is stored under.
    public let name: String

    /// A key stored under `name`.
    public init(_ name: String) {
        self.name = name
    }
}

extension Session {
    /// The value under a typed key; setting nil forgets the key.
    public subscript<Value>(key: SessionKey<Value>) -> Value? {
        get { get(key.name, as: Value.self) }
        set {
            if let newValue { put(key.name, newValue) } else { forget(key.name) }
        }
    }
}
