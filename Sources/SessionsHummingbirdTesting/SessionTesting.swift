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
        let (id, field) = try await seedSession(values: values, driver: driver)
        var headers = HTTPFields()
        if let name = HTTPField.Name(field.name) { headers[name] = field.value }
        return SeededSession(id: id, headers: headers)
    }

    /// The session `response` left behind for a client that presented `seeded` (or nothing):
    /// the one under the ID the response sent (`Set-Cookie`, or a lookup header), else under the
    /// presented one. Nil when the response cleared the cookie or the store holds no session
    /// under that ID.
    public func session(leftBy response: TestResponse, presenting seeded: SeededSession? = nil, driver: String? = nil) async throws -> Session? {
        let fields = response.headers.map { HeaderField(name: $0.name.rawName, value: $0.value) }
        return try await session(leftByFields: fields, presenting: seeded?.id, driver: driver)
    }
}
#endif
