/// Payload (envelope) decoding: any bytes decode or throw, never crash; a payload that decodes
/// re-encodes to one that decodes to the same session (same keys, values, flash lists, token
/// and dates), and encoding is stable from there on.
enum PayloadHarness {
    static func run(_ bytes: [UInt8]) {
        guard let envelope = try? SessionEnvelope(decoding: bytes) else { return }
        guard let encoded = try? envelope.encoded() else {
            require(false, "a decoded payload of \(bytes.count) bytes cannot be encoded again")
            return
        }
        guard let again = try? SessionEnvelope(decoding: encoded) else {
            require(false, "a re-encoded payload does not decode")
            return
        }
        require(describe(again) == describe(envelope), "a round trip changed the session")
        require((try? again.encoded()) == encoded, "encoding is not stable")
    }

    /// Everything a session holds, in a comparable form.
    static func describe(_ envelope: SessionEnvelope) -> [String] {
        var lines = [
            "created \(envelope.createdAt.timeIntervalSince1970.bitPattern)",
            "cookie expires \(envelope.cookieExpiresAt.timeIntervalSince1970.bitPattern)", "idle \(envelope.idleLifetime ?? 0)",
            "token \(envelope.token ?? "-")", "new \(envelope.flashNew)", "old \(envelope.flashOld)",
        ]
        let values = envelope.entries.compactMapValues { entry -> [UInt8]? in
            if case .stored(let bytes) = entry { Array(bytes) } else { nil }
        }
        for key in values.keys.sorted() { lines.append("\(key) = \(values[key] ?? [])") }
        return lines
    }
}
