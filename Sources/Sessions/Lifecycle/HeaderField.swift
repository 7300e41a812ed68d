/// One HTTP header field as a name and a value: how the lifecycle reads a request and answers
/// a response whatever the framework. Names compare case-insensitively where the lifecycle
/// looks them up.
public struct HeaderField: Sendable, Equatable, CustomStringConvertible {
    /// The field name, as the framework spells it (`Cookie`, `Set-Cookie`).
    public var name: String
    /// The field value.
    public var value: String

    /// A field named `name` with `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }

    /// Whether the field's name is `other`, ignoring ASCII case.
    func isNamed(_ other: String) -> Bool {
        func lowered(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        return name.utf8.elementsEqual(other.utf8) { lowered($0) == lowered($1) }
    }
}
