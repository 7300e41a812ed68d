import Foundation
import Sessions

/// A clock that moves only when told to, so expiry and gc are tested without sleeping.
///
/// ```swift
/// let time = ManualClock()
/// let driver = MemorySessionDriver(clock: time.clock)
/// time.advance(by: .seconds(61))
/// ```
public final class ManualClock: Sendable {
    private let current: Locked<Date>

    /// A clock reading `start` (by default a fixed, whole-second date).
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Locked(start)
    }

    /// The time the clock reads now.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward (or back, with a negative duration).
    public func advance(by duration: Duration) {
        let seconds = SessionDriverConformance.Harness.seconds(duration)
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock to hand to drivers and managers.
    public var clock: SessionClock {
        SessionClock { [self] in self.now }
    }
}
