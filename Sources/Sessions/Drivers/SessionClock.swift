import Foundation

/// Where drivers and sessions read the time. Production uses ``system``; tests inject a clock
/// they move by hand, so expiry and gc are tested without sleeping.
public struct SessionClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that reads `now` from the closure.
    public init(_ now: @escaping @Sendable () -> Date) {
        self.read = now
    }

    /// The current time.
    public var now: Date { read() }

    /// The system's wall clock.
    public static let system = SessionClock { Date() }
}
