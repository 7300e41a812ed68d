import Foundation
import Sessions
import SessionsConformance
import Testing

// A copy of the complete driver the README shows under "Writing and registering a custom
// driver": it must pass every tier it declares, directly and through a wrapper.

/// Sessions in a dictionary, with conditional writes (merge at save).
actor DictionaryDriver: SessionDriver {
    private var sessions: [SessionIdentifier: StoredSession] = [:]
    let clock: SessionClock

    init(clock: SessionClock) { self.clock = clock }

    nonisolated var capabilities: SessionDriverCapabilities { [.conditionalWrites] }

    func read(_ id: SessionIdentifier) -> StoredSession? {
        sessions[id].flatMap { $0.metadata.isExpired(at: clock.now) ? nil : $0 }
    }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata) {
        sessions[id] = StoredSession(payload: payload, metadata: metadata, version: .random(in: 1 ... .max))
    }
    func write(_ id: SessionIdentifier, payload: [UInt8], metadata: SessionMetadata, ifVersion expected: UInt64?) -> ConditionalWrite {
        switch (read(id), expected) {
        case (nil, .some): return .missing
        case (.some(let stored), let expected) where stored.version != expected: return .conflict
        default:
            let version = UInt64.random(in: 1 ... .max)
            sessions[id] = StoredSession(payload: payload, metadata: metadata, version: version)
            return .written(version: version)
        }
    }
    func touch(_ id: SessionIdentifier, metadata: SessionMetadata) -> Bool {  // the default rewrites, changing the version
        guard read(id) != nil else { return false }
        sessions[id]?.metadata.expiresAt = metadata.expiresAt
        return true
    }
    func destroy(_ id: SessionIdentifier) { sessions[id] = nil }
    func gc() -> Int {
        let expired = sessions.filter { $0.value.metadata.isExpired(at: clock.now) }.keys
        for id in expired { sessions[id] = nil }
        return expired.count
    }
}

@Suite struct ReadmeDriverTests {
    @Test(arguments: SessionDriverConformance.Check.basic + SessionDriverConformance.Check.atomic, [false, true])
    func theReadmesDriverPassesTheConformanceSuite(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        try await SessionDriverConformance { context in DictionaryDriver(clock: context.clock) }
            .run(check, throughWrapper: throughWrapper)
    }
}
