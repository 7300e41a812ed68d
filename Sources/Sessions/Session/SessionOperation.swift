import Foundation

/// One change a request made to its session, recorded so that a save can re-apply the request's
/// changes on top of the latest stored state instead of overwriting it with the snapshot it
/// loaded. Two overlapping requests that change different keys both survive, and concurrent
/// increments of one key are all counted.
///
/// Each operation is applied at once to the request's own view, and again, in order, on top of
/// whatever another request stored meanwhile when a save finds it lost a race.
enum SessionOperation: Sendable {
    /// Store a value.
    case put(String, SessionEntry)
    /// Remove keys.
    case forget([String])
    /// Add to an integer (a missing or null key counts as 0).
    case increment(String, by: Int)
    /// Append an encoded element to an array (a missing or null key starts one).
    case push(String, element: ArraySlice<UInt8>)
    /// Remove every value, the flash lists and the token.
    case flush
    /// Flash a key: to the new list, out of the old one.
    case flash(String)
    /// A value for this request only: to the old list.
    case now(String)
    /// Keep keys one more request: from the old list to the new one.
    case keep([String])
    /// Age what this request saw: remove the old keys it saw (unless flashed again since) and
    /// move the new keys it saw to the old list. Keys flashed by an overlapping request are left
    /// alone, so aging is idempotent: a flash set by one request reaches the next page whichever
    /// of two overlapping requests saves last.
    case age(consumed: [String], promoted: [String])
    /// Set the CSRF secret. `ifMissing` keeps a secret another request stored meanwhile.
    case token(String?, ifMissing: Bool)
    /// Give the session its own idle lifetime in seconds (nil: the configured one).
    case idleLifetime(Double?)
    /// Restart the absolute lifetime (at `regenerate`).
    case created(Date)

    /// Applies the operation to `envelope`.
    ///
    /// `Session` checks an increment or a push against the request's own view before recording
    /// it (and throws there). Replayed on a state where an overlapping request stored a value of
    /// another type under the key, an increment counts from 0 (and stops at `Int`'s bounds) and
    /// a push starts a new array: a save never fails on another request's data.
    func apply(to envelope: inout SessionEnvelope) {
        switch self {
        case .put(let key, let entry):
            envelope.entries[key] = entry
        case .forget(let keys):
            for key in keys { envelope.entries[key] = nil }
        case .increment(let key, let amount):
            let current = envelope.entries[key]?.intValue ?? 0
            let (sum, overflow) = current.addingReportingOverflow(amount)
            envelope.entries[key] = .put(overflow ? (amount < 0 ? Int.min : Int.max) : sum)
        case .push(let key, let element):
            envelope.entries[key] = .stored(Self.appending(element, to: envelope.entries[key]))
        case .flush:
            envelope.entries = [:]
            envelope.flashNew = []
            envelope.flashOld = []
            envelope.token = nil
        case .flash(let key):
            Self.add([key], to: &envelope.flashNew)
            envelope.flashOld.removeAll { $0 == key }
        case .now(let key):
            Self.add([key], to: &envelope.flashOld)
        case .keep(let keys):
            Self.add(keys, to: &envelope.flashNew)
            envelope.flashOld.removeAll { keys.contains($0) }
        case .age(let consumed, let promoted):
            for key in consumed where envelope.flashOld.contains(key) {
                envelope.flashOld.removeAll { $0 == key }
                if !envelope.flashNew.contains(key) { envelope.entries[key] = nil }
            }
            for key in promoted where envelope.flashNew.contains(key) {
                envelope.flashNew.removeAll { $0 == key }
                Self.add([key], to: &envelope.flashOld)
            }
        case .token(let token, let ifMissing):
            if !ifMissing || envelope.token == nil { envelope.token = token }
        case .idleLifetime(let seconds):
            envelope.idleLifetime = seconds
        case .created(let date):
            envelope.createdAt = date
        }
    }

    private static func add(_ keys: [String], to list: inout [String]) {
        for key in keys where !list.contains(key) { list.append(key) }
    }

    /// The encoded array under an entry with the encoded `element` appended, built on the bytes
    /// so the elements already there keep their types; a new one-element array when the entry
    /// is missing or not an array.
    private static func appending(_ element: ArraySlice<UInt8>, to entry: SessionEntry?) -> ArraySlice<UInt8> {
        let (count, elements) = entry.flatMap(arrayElements) ?? (0, [][...])
        var writer = ByteWriter(capacity: elements.count + element.count + 10)
        writer.byte(ValueCodec.Tag.array.rawValue)
        writer.varint(UInt64(count + 1))
        writer.bytes.append(contentsOf: elements)
        writer.bytes.append(contentsOf: element)
        return writer.bytes[...]
    }

    /// The element count and the elements' bytes of an entry holding an array; nil otherwise.
    static func arrayElements(of entry: SessionEntry) -> (count: Int, elements: ArraySlice<UInt8>)? {
        guard case .stored(let bytes) = entry else {
            return (try? entry.encoded(key: "")).flatMap { arrayElements(of: .stored($0)) }
        }
        var reader = ByteReader(bytes)
        guard (try? reader.byte()) == ValueCodec.Tag.array.rawValue, let count = try? reader.count() else { return nil }
        return (count, bytes[reader.index...])
    }
}
