/// How a setting's value is written in `config/session.json` and in its environment variable,
/// which values it takes, and how error messages describe them.
///
/// Pick one of the ready formats (``flag``, ``integer(in:unit:)``, ``duration(unit:in:zeroMeansNone:)``,
/// ``text(_:isValid:)``, …) or build one with ``init(expected:environmentExpected:fromJSON:fromEnvironment:render:isValid:)``.
public struct SettingFormat<Value: Sendable & Equatable>: Sendable {
    /// What the setting takes, as written in error messages after "must be".
    public let expected: String
    /// What the environment variable takes, when it is written differently from JSON.
    let environmentExpected: String
    let fromJSON: @Sendable (SessionValue) -> Value?
    let fromEnvironment: @Sendable (String) -> Value?
    let render: @Sendable (Value) -> String
    let isValid: @Sendable (Value) -> Bool

    /// A format of your own.
    /// - Parameters:
    ///   - expected: what the setting takes, after "must be" in messages ("a port number").
    ///   - environmentExpected: the same for the environment variable (default: `expected`).
    ///   - fromJSON: the value a JSON value stands for, or nil when it has the wrong type.
    ///   - fromEnvironment: the value an environment variable's text stands for, or nil.
    ///   - render: a value written as in JSON, for messages, `description` and the README.
    ///   - isValid: whether a value, however it was set (file, environment, code), is allowed.
    public init(
        expected: String,
        environmentExpected: String? = nil,
        fromJSON: @escaping @Sendable (SessionValue) -> Value?,
        fromEnvironment: @escaping @Sendable (String) -> Value?,
        render: @escaping @Sendable (Value) -> String,
        isValid: @escaping @Sendable (Value) -> Bool = { _ in true }
    ) {
        self.expected = expected
        self.environmentExpected = environmentExpected ?? expected
        self.fromJSON = fromJSON
        self.fromEnvironment = fromEnvironment
        self.render = render
        self.isValid = isValid
    }
}

extension SettingFormat where Value == Bool {
    /// `true` or `false` in JSON; `true/false`, `1/0`, `yes/no`, `on/off` (any case) in the environment.
    public static var flag: SettingFormat {
        SettingFormat(
            expected: "true or false",
            environmentExpected: "true or false (or 1/0, yes/no, on/off)",
            fromJSON: { $0.boolValue },
            fromEnvironment: { text in
                switch SettingText.trimmed(text).lowercased() {
                case "true", "1", "yes", "on": true
                case "false", "0", "no", "off": false
                default: nil
                }
            },
            render: { String($0) }
        )
    }

}

extension SettingFormat where Value == Int {
    /// A whole number in `range`; `unit` names what it counts in messages ("bytes").
    public static func integer(in range: ClosedRange<Int>, unit: String) -> SettingFormat {
        SettingFormat(
            expected: "a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound)",
            fromJSON: { $0.intValue },
            fromEnvironment: { Int(SettingText.trimmed($0)) },
            render: { String($0) },
            isValid: { range.contains($0) }
        )
    }

}

extension SettingFormat where Value == String {
    /// A text `isValid` accepts; `expected` says which in messages.
    public static func text(_ expected: String, isValid: @escaping @Sendable (String) -> Bool) -> SettingFormat {
        SettingFormat(
            expected: expected,
            fromJSON: { $0.stringValue },
            fromEnvironment: { $0 },
            render: { SettingText.quoted($0) },
            isValid: isValid
        )
    }

}

extension SettingFormat where Value == String? {
    /// A text `isValid` accepts, or none: JSON `null`, or an empty or `null` environment variable.
    public static func optionalText(_ expected: String, isValid: @escaping @Sendable (String) -> Bool) -> SettingFormat {
        SettingFormat(
            expected: expected + ", or null for none",
            environmentExpected: expected + ", or null or empty for none",
            fromJSON: { value in value.isNull ? .some(nil) : present(value.stringValue) },
            fromEnvironment: { text in text.isEmpty || text.lowercased() == "null" ? .some(nil) : .some(text) },
            render: { $0.map(SettingText.quoted) ?? "null" },
            isValid: { $0.map(isValid) ?? true }
        )
    }

}

extension SettingFormat {
    /// One of `Choice`'s raw values (any case), or none: JSON `null`, or an empty or `null`
    /// environment variable.
    public static func optionalChoice<Choice: RawRepresentable & CaseIterable & Sendable & Equatable>(
        of _: Choice.Type
    ) -> SettingFormat<Choice?> where Choice.RawValue == String {
        let names = Choice.allCases.map { SettingText.quoted($0.rawValue) }
        let parse: @Sendable (String) -> Choice? = { Choice(rawValue: $0.lowercased()) }
        return SettingFormat<Choice?>(
            expected: names.joined(separator: ", ") + " or null for none",
            environmentExpected: Choice.allCases.map(\.rawValue).joined(separator: ", ") + ", or null or empty for none",
            fromJSON: { value in value.isNull ? .some(nil) : present(value.stringValue.flatMap(parse)) },
            fromEnvironment: { text in
                let trimmed = SettingText.trimmed(text)
                return trimmed.isEmpty || trimmed.lowercased() == "null" ? .some(nil) : present(parse(trimmed))
            },
            render: { $0.map { SettingText.quoted($0.rawValue) } ?? "null" }
        )
    }
}

extension SettingFormat where Value == Duration {
    /// A whole number of `unit`s in `range` in JSON and the environment, a `Duration` in code
    /// (where any duration between the range's ends is allowed).
    public static func duration(unit: DurationUnit, in range: ClosedRange<Int>) -> SettingFormat<Duration> {
        let lowest = unit.duration(range.lowerBound), highest = unit.duration(range.upperBound)
        return SettingFormat(
            expected: "a whole number of \(unit.name) from \(range.lowerBound) to \(range.upperBound)",
            fromJSON: { $0.intValue.flatMap { range.contains($0) ? unit.duration($0) : nil } },
            fromEnvironment: { Int(SettingText.trimmed($0)).flatMap { range.contains($0) ? unit.duration($0) : nil } },
            render: { unit.render($0) },
            isValid: { (lowest...highest).contains($0) }
        )
    }
}

extension SettingFormat where Value == Duration? {
    /// ``SettingFormat/duration(unit:in:)`` where 0 stands for none (nil in code).
    /// `zeroMeans` says what none means in messages ("none", "a tenth of the lifetime").
    public static func duration(unit: DurationUnit, upTo highest: Int, zeroMeans: String) -> SettingFormat<Duration?> {
        let some = SettingFormat<Duration>.duration(unit: unit, in: 1...highest)
        return SettingFormat(
            expected: "a whole number of \(unit.name) from 0 to \(highest), 0 for \(zeroMeans)",
            fromJSON: { $0 == .int(0) ? .some(nil) : present(some.fromJSON($0)) },
            fromEnvironment: { Int(SettingText.trimmed($0)) == 0 ? .some(nil) : present(some.fromEnvironment($0)) },
            render: { $0.map(unit.render) ?? "0" },
            isValid: { $0.map(some.isValid) ?? true }
        )
    }
}

/// `parsed` as a present value of an optional setting, or nil (not a valid value) when it is nil.
private func present<T>(_ parsed: T?) -> T?? { parsed.map { .some($0) } }

/// The unit a duration setting is written in, in JSON and the environment.
public enum DurationUnit: Sendable {
    case seconds, minutes

    var name: String {
        switch self {
        case .seconds: "seconds"
        case .minutes: "minutes"
        }
    }

    private var seconds: Int64 {
        switch self {
        case .seconds: 1
        case .minutes: 60
        }
    }

    /// `count` units; callers keep `count` within a setting's range, so this cannot overflow.
    func duration(_ count: Int) -> Duration { .seconds(Int64(count) * seconds) }

    /// A duration as a number of units (with a fraction when it is not whole).
    func render(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        if attoseconds == 0, whole % seconds == 0 { return String(whole / seconds) }
        return String(duration.secondsValue / Double(seconds))
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
