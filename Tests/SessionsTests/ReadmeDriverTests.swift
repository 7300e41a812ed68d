import Foundation
import Sessions
import SessionsConformance
import Testing

// A copy of the complete driver the README shows under "Writing and registering a custom
// driver": it must pass every tier it declares, directly and through a wrapper.

/// Sessions in a dictionary, with conditional writes (merge at save).
actor DictionaryDriver: SessionDriver {
    private var sessions: [SessionIdentifier: StoredSession] = [:]
    let lifetime: TimeInterval
    let clock: SessionClock

    init(lifetime: Duration, clock: SessionClock) {
        self.lifetime = TimeInterval(lifetime.components.seconds)
        self.clock = clock
    }

    nonisolated var capabilities: SessionDriverCapabilities { [.conditionalWrites] }

    func read(_ id: SessionIdentifier) -> StoredSession? {
        sessions[id].flatMap { isLive($0) ? $0 : nil }
    }
    func write(_ id: SessionIdentifier, payload: [UInt8]) {
        sessions[id] = StoredSession(payload: payload, lastActivity: clock.now, version: .random(in: 1 ... .max))
    }
    func write(_ id: SessionIdentifier, payload: [UInt8], ifVersion expected: UInt64?) -> ConditionalWrite {
        switch (read(id), expected) {
        case (nil, .some): return .missing
        case (.some(let stored), let expected) where stored.version != expected: return .conflict
        default:
            let version = UInt64.random(in: 1 ... .max)
            sessions[id] = StoredSession(payload: payload, lastActivity: clock.now, version: version)
            return .written(version: version)
        }
    }
    func touch(_ id: SessionIdentifier) -> Bool {  // the default rewrites, and so changes the version
        guard read(id) != nil else { return false }
        sessions[id]?.lastActivity = clock.now
        return true
    }
    func destroy(_ id: SessionIdentifier) { sessions[id] = nil }
    func gc() -> Int {
        let expired = sessions.filter { !isLive($0.value) }.keys
        for id in expired { sessions[id] = nil }
        return expired.count
    }
    private func isLive(_ stored: StoredSession) -> Bool { clock.now.timeIntervalSince(stored.lastActivity) <= lifetime }
}

@Suite struct ReadmeDriverTests {
    @Test(arguments: SessionDriverConformance.Check.basic + SessionDriverConformance.Check.atomic, [false, true])
    func theReadmesDriverPassesTheConformanceSuite(check: SessionDriverConformance.Check, throughWrapper: Bool) async throws {
        try await SessionDriverConformance { context in DictionaryDriver(lifetime: context.lifetime, clock: context.clock) }
            .run(check, throughWrapper: throughWrapper)
    }
}
