import Foundation

/// A session value in dynamic form, as returned by ``Session/all()``, ``Session/only(_:)`` and
/// ``Session/except(_:)``, and accepted by ``Session/put(_:)-(([String:SessionValue]))``.
///
/// Values put with a common type (String, integers, floating point, Bool, Date, Data, arrays and
/// string-keyed dictionaries of those) come back as the matching case. Other `Codable` values
/// (your structs) are stored as JSON and come back as the structure JSON gives them
/// (`dictionary`, `array`, …). Read a typed value with ``Session/get(_:as:)`` instead when you
/// know its type.
///
/// Literals build values directly:
/// ```swift
/// session.put(["user_id": 42, "name": "Ada", "admin": false])
/// ```
public enum SessionValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case data(Data)
    case date(Date)
    case array([SessionValue])
    case dictionary([String: SessionValue])

    /// The value when it is a string.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The value when it is an integer.
    public var intValue: Int? { if case .int(let value) = self { value } else { nil } }
    /// The value when it is a floating-point number, or an integer widened to one.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }
    /// The value when it is a Boolean.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The value when it is raw data.
    public var dataValue: Data? { if case .data(let value) = self { value } else { nil } }
    /// The value when it is a date.
    public var dateValue: Date? { if case .date(let value) = self { value } else { nil } }
    /// The value when it is an array.
    public var arrayValue: [SessionValue]? { if case .array(let value) = self { value } else { nil } }
    /// The value when it is a dictionary.
    public var dictionaryValue: [String: SessionValue]? { if case .dictionary(let value) = self { value } else { nil } }
    /// Whether the value is ``null``.
    public var isNull: Bool { self == .null }
}

extension SessionValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: SessionValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, SessionValue)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension SessionValue: Codable {
    /// Decodes the structure a JSON value has; used to show structs stored as JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try Self.decodeUnlessOtherType(String.self, from: container) {
            self = .string(value)
        } else if let value = try Self.decodeUnlessOtherType([SessionValue].self, from: container) {
            self = .array(value)
        } else {
            self = .dictionary(try container.decode([String: SessionValue].self))
        }
    }

    /// The value as `T`; nil when it is of another type. A `T` that cannot be read (a string
    /// with an invalid escape, say) throws, with the value's coding path, so the error names it
    /// instead of reporting that the value is not a dictionary.
    private static func decodeUnlessOtherType<T: Decodable>(_: T.Type, from container: any SingleValueDecodingContainer) throws -> T? {
        do {
            return try container.decode(T.self)
        } catch DecodingError.typeMismatch {
            return nil
        } catch let error as DecodingError {
            throw error
        } catch {
            // Foundation's parser reports a bad escape with its own error type and no path.
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath, debugDescription: "the value cannot be read as \(T.self)", underlyingError: error))
        }
    }

    /// Encodes the value as its natural JSON form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .data(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .dictionary(let value): try container.encode(value)
        }
    }
}
