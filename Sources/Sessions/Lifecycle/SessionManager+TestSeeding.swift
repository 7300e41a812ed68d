/// What the adapters' test helpers (`seedSession`, `session(leftBy:presenting:)`) share: they
/// differ only in their framework's header types.
extension SessionManager {
    /// Stores a session holding `values` on `driver` (the configured default when nil) and
    /// returns its ID with the field that presents it: `Cookie: <cookie>=<id>`, or the lookup's
    /// header when the lookup lists a header first.
    package func seedSession(values: [String: SessionValue], driver: String?) async throws -> (id: String, field: HeaderField) {
        let session = try await buildSession(driver: driver)
        session.put(values)
        try await session.save()
        let id = session.id.rawValue
        if let header = config.lookup.first?.headerName { return (id, HeaderField(name: header, value: id)) }
        return (id, HeaderField(name: "Cookie", value: "\(config.cookie)=\(id)"))
    }

    /// The session a response with `fields` left behind for a client that presented `presented`
    /// (or nothing): the one under the ID the response sent (`Set-Cookie`, or a lookup header),
    /// else under the presented one. Nil when the response cleared the cookie or the store holds
    /// no session under that ID.
    package func session(leftByFields fields: [HeaderField], presenting presented: String?, driver: String?) async throws -> Session? {
        var id = presented
        for setCookie in fields where setCookie.isNamed("Set-Cookie") {
            let pair = setCookie.value.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "="), pair[..<equals] == config.cookie else { continue }
            if setCookie.value.contains("Max-Age=0") { return nil }
            id = String(pair[pair.index(after: equals)...])
        }
        for name in config.lookup.compactMap(\.headerName) {
            if let sent = fields.last(where: { $0.isNamed(name) }) { id = sent.value }
        }
        guard let id else { return nil }
        return try await load(id: id, driver: driver)
    }
}
