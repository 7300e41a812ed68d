#if Hummingbird
public import HTTPTypes
public import HummingbirdTesting
public import Sessions

/// A session stored for a test, and the header fields with which a request presents it.
public struct SeededSession: Sendable {
    /// The session's ID.
    public let id: String
    /// `Cookie: <cookie>=<id>`, or the lookup's header when it lists a header first.
    public let headers: HTTPFields
}

/// Test helpers for apps (Laravel's `withSession`): start a request with a seeded session on the
/// app's configured driver, and read the session a response left behind. They work with
/// Hummingbird's `app.test(.router)` and `.live` alike.
///
/// ```swift
/// try await app.test(.router) { client in
///     let seeded = try await sessions.seedSession(["user_id": 42])
///     try await client.execute(uri: "/dashboard", method: .get, headers: seeded.headers) { response in
///         #expect(response.status == .ok)
///         let after = try await sessions.session(leftBy: response, presenting: seeded)
///         #expect(after?.get("user_id", as: Int.self) == 42)
///     }
/// }
/// ```
extension SessionManager {
    /// Stores a session holding `values` on `driver` (the configured default when nil) and
    /// returns it with the fields that present it.
    public func seedSession(_ values: [String: SessionValue], driver: String? = nil) async throws -> SeededSession {
        let session = try await buildSession(driver: driver)
        session.put(values)
        try await session.save()
        let id = session.id.rawValue
        var headers = HTTPFields()
        if let header = config.lookup.first?.headerName, let name = HTTPField.Name(header) {
            headers[name] = id
        } else {
            headers[.cookie] = "\(config.cookie)=\(id)"
        }
        return SeededSession(id: id, headers: headers)
    }

    /// The session `response` left behind for a client that presented `seeded` (or nothing):
    /// the one under the ID the response sent (`Set-Cookie`, or a lookup header), else under the
    /// presented one. Nil when the response cleared the cookie or the store holds no session
    /// under that ID.
    public func session(leftBy response: TestResponse, presenting seeded: SeededSession? = nil, driver: String? = nil) async throws -> Session? {
        var id = seeded?.id
        for setCookie in response.headers[values: .setCookie] {
            let pair = setCookie.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "="), pair[..<equals] == config.cookie else { continue }
            if setCookie.contains("Max-Age=0") { return nil }
            id = String(pair[pair.index(after: equals)...])
        }
        for name in config.lookup.compactMap(\.headerName) {
            if let field = HTTPField.Name(name), let sent = response.headers[field] { id = sent }
        }
        guard let id else { return nil }
        return try await load(id: id, driver: driver)
    }
}
#endif
