/// A driver broke a rule of the ``SessionDriver`` contract.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// The check that failed.
    public let check: String
    /// What was expected and what happened.
    public let message: String

    public var description: String { "[\(check)] \(message)" }
}
