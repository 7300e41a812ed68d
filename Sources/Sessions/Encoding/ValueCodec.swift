import Foundation

/// Encodes one session value to the payload's tagged binary form and back.
///
/// Common types take fast paths with no Foundation coder: String, Bool, integers, floating
/// point, Date, Data, ``SessionValue``, optionals, arrays and string-keyed dictionaries of these.
/// Any other `Codable` value (a user struct) is stored as JSON under its own tag. Values are
/// encoded when put and decoded when read, so a request pays only for the keys it touches.
enum ValueCodec {
    enum Tag: UInt8 {
        case null = 0, isFalse, isTrue, int, double, string, data, date, array, dictionary, json
    }

    /// Nesting deeper than this is refused, so a forged payload cannot exhaust the stack.
    static let maximumDepth = 64

    // MARK: Encoding

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        try encode(value, into: &writer, depth: 0)
        return writer.bytes
    }

    static func encode<T: Encodable>(_ value: T, into writer: inout ByteWriter, depth: Int) throws {
        guard depth < maximumDepth else { throw ValueCodecError.nestedTooDeeply }
        // Dynamic values (every value of `put(_ values:)`) are checked by type identity, a pointer
        // comparison, before the chain of casts below: each failed cast costs far more.
        if T.self == SessionValue.self, let value = value as? SessionValue {
            try encode(dynamic: value, into: &writer, depth: depth)
            return
        }
        switch value {
        case let value as String:
            writer.byte(Tag.string.rawValue)
            writer.string(value)
        case let value as Int:
            writer.byte(Tag.int.rawValue)
            writer.signedVarint(Int64(value))
        case let value as Bool:
            writer.byte(value ? Tag.isTrue.rawValue : Tag.isFalse.rawValue)
        case let value as Double:
            writer.byte(Tag.double.rawValue)
            writer.double(value)
        case let value as Date:
            writer.byte(Tag.date.rawValue)
            writer.double(value.timeIntervalSince1970)
        case let value as Data:
            writer.byte(Tag.data.rawValue)
            writer.blob(value)
        case let value as any FixedWidthInteger where Int64(exactly: value) != nil:
            writer.byte(Tag.int.rawValue)
            writer.signedVarint(Int64(exactly: value) ?? 0)
        case let value as any BinaryFloatingPoint:
            writer.byte(Tag.double.rawValue)
            writer.double(Double(value))
        case let value as any EncodableOptional:
            try value.encodeWrapped(into: &writer, depth: depth)
        case let value as any EncodableArray:
            try value.encodeElements(into: &writer, depth: depth)
        case let value as any EncodableStringDictionary:
            try value.encodeEntries(into: &writer, depth: depth)
        default:
            writer.byte(Tag.json.rawValue)
            writer.blob(try JSONEncoder().encode(value))
        }
    }

    /// The encoded size of `value`: exact for integers, strings, Booleans and dynamic scalars,
    /// a guess for the rest. Found by type identity, without failed casts.
    static func sizeEstimate(of value: any Encodable & Sendable) -> Int {
        switch ObjectIdentifier(type(of: value)) {
        case ObjectIdentifier(Int.self): (value as? Int).map { 1 + ByteWriter.signedVarintSize(Int64($0)) } ?? 16
        case ObjectIdentifier(String.self): (value as? String).map { 1 + ByteWriter.blobSize($0.utf8.count) } ?? 16
        case ObjectIdentifier(Bool.self): 1
        case ObjectIdentifier(SessionValue.self): (value as? SessionValue).map(sizeEstimate(dynamic:)) ?? 16
        default: 16
        }
    }

    static func sizeEstimate(dynamic value: SessionValue) -> Int {
        switch value {
        case .null, .bool: 1
        case .int(let number): 1 + ByteWriter.signedVarintSize(Int64(number))
        case .double, .date: 9
        case .string(let text): 1 + ByteWriter.blobSize(text.utf8.count)
        case .data(let data): 1 + ByteWriter.blobSize(data.count)
        case .array, .dictionary: 32
        }
    }

    /// Writes a dynamic value, held to the same depth as decoding, so nothing is stored that
    /// every later load would reject.
    static func encode(dynamic value: SessionValue, into writer: inout ByteWriter, depth: Int) throws(ValueCodecError) {
        guard depth < maximumDepth else { throw .nestedTooDeeply }
        switch value {
        case .null: writer.byte(Tag.null.rawValue)
        case .bool(let flag): writer.byte(flag ? Tag.isTrue.rawValue : Tag.isFalse.rawValue)
        case .int(let number):
            writer.byte(Tag.int.rawValue)
            writer.signedVarint(Int64(number))
        case .double(let number):
            writer.byte(Tag.double.rawValue)
            writer.double(number)
        case .string(let text):
            writer.byte(Tag.string.rawValue)
            writer.string(text)
        case .data(let data):
            writer.byte(Tag.data.rawValue)
            writer.blob(data)
        case .date(let date):
            writer.byte(Tag.date.rawValue)
            writer.double(date.timeIntervalSince1970)
        case .array(let elements):
            writer.byte(Tag.array.rawValue)
            writer.varint(UInt64(elements.count))
            for element in elements { try encode(dynamic: element, into: &writer, depth: depth + 1) }
        case .dictionary(let entries):
            writer.byte(Tag.dictionary.rawValue)
            writer.varint(UInt64(entries.count))
            for (key, element) in entries {
                writer.string(key)
                try encode(dynamic: element, into: &writer, depth: depth + 1)
            }
        }
    }

    // MARK: Decoding

    /// The value as `T`, or nil when the stored value is of another type or corrupt.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) -> T? {
        var reader = ByteReader(bytes)
        return try? decode(type, from: &reader, depth: 0)
    }

    static func decode<T: Decodable>(_ type: T.Type, from reader: inout ByteReader, depth: Int) throws -> T? {
        guard depth < maximumDepth else { throw PayloadError.malformed("nested too deeply") }
        if T.self == SessionValue.self {
            return try dynamic(from: &reader, depth: depth) as? T
        }
        if let optional = T.self as? any DecodableOptional.Type {
            return try optional.decodeWrapped(from: &reader, depth: depth) as? T
        }
        let start = reader.index
        guard let tag = Tag(rawValue: try reader.byte()) else { throw PayloadError.malformed("unknown value tag") }
        switch tag {
        case .null:
            return nil
        case .isFalse, .isTrue:
            return (tag == .isTrue) as? T
        case .int:
            let number = try reader.signedVarint()
            if let integer = T.self as? any FixedWidthInteger.Type { return integer.init(exactly: number) as? T }
            return nil
        case .double:
            let number = try reader.double()
            if let floating = T.self as? any BinaryFloatingPoint.Type { return floating.init(number) as? T }
            return nil
        case .string:
            return try reader.string() as? T
        case .data:
            return Data(try reader.blob()) as? T
        case .date:
            return Date(timeIntervalSince1970: try reader.double()) as? T
        case .array:
            if let array = T.self as? any DecodableArray.Type {
                return try array.decodeElements(from: &reader, depth: depth) as? T
            }
        case .dictionary:
            if let dictionary = T.self as? any DecodableStringDictionary.Type {
                return try dictionary.decodeEntries(from: &reader, depth: depth) as? T
            }
        case .json:
            return try? JSONDecoder().decode(T.self, from: Data(try reader.blob()))
        }
        // A collection read as another Decodable type (for example a dictionary put as
        // `SessionValue` and read as a struct): go through its JSON form.
        var again = ByteReader(reader.bytes[start...])
        let value = try dynamic(from: &again, depth: depth)
        reader = again
        return try? JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    /// The value in dynamic form; structs stored as JSON come back as their JSON structure.
    static func dynamic(from reader: inout ByteReader, depth: Int) throws -> SessionValue {
        guard depth < maximumDepth else { throw PayloadError.malformed("nested too deeply") }
        guard let tag = Tag(rawValue: try reader.byte()) else { throw PayloadError.malformed("unknown value tag") }
        switch tag {
        case .null: return .null
        case .isFalse: return .bool(false)
        case .isTrue: return .bool(true)
        case .int:
            let number = try reader.signedVarint()
            guard let integer = Int(exactly: number) else { throw PayloadError.malformed("integer out of range") }
            return .int(integer)
        case .double: return .double(try reader.double())
        case .string: return .string(try reader.string())
        case .data: return .data(Data(try reader.blob()))
        case .date: return .date(Date(timeIntervalSince1970: try reader.double()))
        case .array:
            let count = try reader.count()
            var elements: [SessionValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try dynamic(from: &reader, depth: depth + 1)) }
            return .array(elements)
        case .dictionary:
            let count = try reader.count()
            var entries: [String: SessionValue] = [:]
            entries.reserveCapacity(count)
            for _ in 0..<count {
                let key = try reader.string()
                entries[key] = try dynamic(from: &reader, depth: depth + 1)
            }
            return .dictionary(entries)
        case .json:
            let json = try reader.blob()
            guard let value = try? JSONDecoder().decode(SessionValue.self, from: Data(json)) else {
                throw PayloadError.malformed("invalid JSON value")
            }
            return value
        }
    }

    /// Checks one value's structure and moves past it without building it: loading a session
    /// validates every stored value's structure this way but decodes none until it is read (a
    /// string that is not valid UTF-8 reads as nil then, like any value of the wrong type).
    static func skip(_ reader: inout ByteReader, depth: Int = 0) throws(PayloadError) {
        guard depth < maximumDepth else { throw .malformed("nested too deeply") }
        guard let tag = Tag(rawValue: try reader.byte()) else { throw .malformed("unknown value tag") }
        switch tag {
        case .null, .isFalse, .isTrue: break
        case .int: _ = try reader.signedVarint()
        case .double, .date: try reader.skip(8)
        case .string, .data, .json: _ = try reader.skipBlob()
        case .array:
            for _ in 0..<(try reader.count()) { try skip(&reader, depth: depth + 1) }
        case .dictionary:
            for _ in 0..<(try reader.count()) {
                _ = try reader.skipBlob()
                try skip(&reader, depth: depth + 1)
            }
        }
    }
}

// MARK: Generic collections and optionals, reached through dynamic casts

protocol EncodableOptional {
    var isNone: Bool { get }
    func encodeWrapped(into writer: inout ByteWriter, depth: Int) throws
}

protocol DecodableOptional {
    static func decodeWrapped(from reader: inout ByteReader, depth: Int) throws -> Any
}

extension Optional: EncodableOptional where Wrapped: Encodable {
    var isNone: Bool { self == nil }

    func encodeWrapped(into writer: inout ByteWriter, depth: Int) throws {
        switch self {
        case .none: writer.byte(ValueCodec.Tag.null.rawValue)
        case .some(let value): try ValueCodec.encode(value, into: &writer, depth: depth + 1)
        }
    }
}

extension Optional: DecodableOptional where Wrapped: Decodable {
    static func decodeWrapped(from reader: inout ByteReader, depth: Int) throws -> Any {
        let wrapped: Wrapped? = try ValueCodec.decode(Wrapped.self, from: &reader, depth: depth + 1)
        return wrapped as Any
    }
}

protocol EncodableArray {
    func encodeElements(into writer: inout ByteWriter, depth: Int) throws
}

protocol DecodableArray {
    static func decodeElements(from reader: inout ByteReader, depth: Int) throws -> Any?
}

extension Array: EncodableArray where Element: Encodable {
    func encodeElements(into writer: inout ByteWriter, depth: Int) throws {
        writer.byte(ValueCodec.Tag.array.rawValue)
        writer.varint(UInt64(count))
        for element in self { try ValueCodec.encode(element, into: &writer, depth: depth + 1) }
    }
}

extension Array: DecodableArray where Element: Decodable {
    static func decodeElements(from reader: inout ByteReader, depth: Int) throws -> Any? {
        let count = try reader.count()
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard let element = try ValueCodec.decode(Element.self, from: &reader, depth: depth + 1) else { return nil }
            elements.append(element)
        }
        return elements
    }
}

protocol EncodableStringDictionary {
    func encodeEntries(into writer: inout ByteWriter, depth: Int) throws
}

protocol DecodableStringDictionary {
    static func decodeEntries(from reader: inout ByteReader, depth: Int) throws -> Any?
}

extension Dictionary: EncodableStringDictionary where Key == String, Value: Encodable {
    func encodeEntries(into writer: inout ByteWriter, depth: Int) throws {
        writer.byte(ValueCodec.Tag.dictionary.rawValue)
        writer.varint(UInt64(count))
        for (key, value) in self {
            writer.string(key)
            try ValueCodec.encode(value, into: &writer, depth: depth + 1)
        }
    }
}

extension Dictionary: DecodableStringDictionary where Key == String, Value: Decodable {
    static func decodeEntries(from reader: inout ByteReader, depth: Int) throws -> Any? {
        let count = try reader.count()
        var entries: [String: Value] = [:]
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.string()
            guard let value = try ValueCodec.decode(Value.self, from: &reader, depth: depth + 1) else { return nil }
            entries[key] = value
        }
        return entries
    }
}
