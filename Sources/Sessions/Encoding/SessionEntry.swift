/// One value of a session: either still in its stored bytes (decoded only if read) or put during
/// this request (encoded only at save, so a put followed by a get costs no codec work).
enum SessionEntry: Sendable {
    case stored(ArraySlice<UInt8>)
    case put(any Encodable & Sendable)

    /// The value as `T`, or nil when it holds another type.
    func value<T: Decodable>(as type: T.Type) -> T? {
        switch self {
        case .stored(let bytes):
            return ValueCodec.decode(type, from: bytes)
        case .put(let value):
            if let typed = value as? T { return typed }
            // Read back as another type: answer as the stored form would on the next request.
            guard let bytes = try? ValueCodec.encode(value) else { return nil }
            return ValueCodec.decode(type, from: bytes[...])
        }
    }

    /// The value as an `Int`, or nil when it holds another type: ``value(as:)`` without the
    /// generic decoder, for increments.
    var intValue: Int? {
        switch self {
        case .stored(let bytes):
            var reader = ByteReader(bytes)
            guard (try? reader.byte()) == ValueCodec.Tag.int.rawValue, let number = try? reader.signedVarint() else { return nil }
            return Int(exactly: number)
        case .put(let value):
            // By type identity first: a failed dynamic cast costs more than the rest of this.
            switch ObjectIdentifier(type(of: value)) {
            case ObjectIdentifier(Int.self):
                return value as? Int
            case ObjectIdentifier(SessionValue.self):
                guard case .int(let number) = value as? SessionValue else { return nil }
                return number
            default:
                return self.value(as: Int.self)
            }
        }
    }

    /// Whether the value is null (a nil optional or ``SessionValue/null``).
    var isNull: Bool {
        switch self {
        case .stored(let bytes): bytes.first == ValueCodec.Tag.null.rawValue
        case .put(let value): (value as? any EncodableOptional)?.isNone ?? (value as? SessionValue == .null)
        }
    }

    /// The size of the value's encoded bytes: exact when stored, and for common types when put.
    var sizeEstimate: Int {
        switch self {
        case .stored(let bytes): bytes.count
        case .put(let value): ValueCodec.sizeEstimate(of: value)
        }
    }

    /// The value's encoded bytes.
    /// - Throws: ``SessionError/unencodable(key:reason:)`` naming `key`.
    func encoded(key: String) throws -> ArraySlice<UInt8> {
        if case .stored(let bytes) = self { return bytes }
        var writer = ByteWriter(capacity: 16)
        try write(into: &writer, key: key)
        return writer.bytes[...]
    }

    /// Appends the value's encoded bytes to `writer`.
    /// - Throws: ``SessionError/unencodable(key:reason:)`` naming `key`.
    func write(into writer: inout ByteWriter, key: String) throws {
        switch self {
        case .stored(let bytes):
            writer.bytes.append(contentsOf: bytes)
        case .put(let value):
            do {
                try ValueCodec.encode(value, into: &writer, depth: 0)
            } catch {
                throw SessionError.unencodable(key: key, reason: ValueCodecError.reason(for: error))
            }
        }
    }
}
