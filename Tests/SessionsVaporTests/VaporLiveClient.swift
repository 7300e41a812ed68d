#if Vapor
import Foundation
import Sessions
import SessionsVapor
import Testing
import Vapor

/// A Vapor app served on 127.0.0.1 (a free port) with `routes`, run through `body` with a
/// browser-like client, then shut down the async way (the manager's drivers close there).
func withVaporApp<Value>(
    logger: Logger = Logger(label: "test"),
    manager: SessionManager? = nil,
    _ routes: (Application) throws -> Void,
    _ body: (VaporBrowser) async throws -> Value
) async throws -> Value {
    let app = try await Application.make(.testing)
    app.logger = logger
    app.http.client.configuration.redirectConfiguration = .disallow
    app.http.client.configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 20
    do {
        if let manager { app.useSessionManager(manager) }
        try routes(app)
        // Booted the async way (the lifecycle handlers' async hooks run), then served on a free port.
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let value = try await body(VaporBrowser(app: app, port: port))
        await app.server.shutdown()
        try await app.asyncShutdown()
        return value
    } catch {
        await app.server.shutdown()
        try? await app.asyncShutdown()
        throw error
    }
}

/// A browser over the app's own HTTP client: it keeps cookies between requests (honouring
/// `Max-Age=0`), follows no redirect, and reads the CSRF token out of pages. ``newBrowser()``
/// starts another with an empty cookie jar.
final class VaporBrowser {
    let app: Application
    let port: Int
    var cookies: [String: String] = [:]

    init(app: Application, port: Int) {
        self.app = app
        self.port = port
    }

    func newBrowser() -> VaporBrowser { VaporBrowser(app: app, port: port) }

    /// Sends a request with the jar's cookies, then files the response's `Set-Cookie`s.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil, headers extra: HTTPHeaders = [:]) async throws -> ClientResponse {
        var headers = extra
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        var body: ByteBuffer?
        if let form {
            headers.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
            body = ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
        }
        let response = try await Self.send(app, port: port, method, path, headers: headers, body: body)
        for setCookie in response.headers[.setCookie] {
            let pair = setCookie.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            if setCookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[pair.index(after: equals)...]) }
        }
        return response
    }

    /// One request to the app on 127.0.0.1, with no cookie jar.
    static func send(
        _ app: Application, port: Int, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil
    ) async throws -> ClientResponse {
        try await app.client.send(method, headers: headers, to: URI(string: "http://127.0.0.1:\(port)\(path)")) { request in
            request.body = body
        }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension ClientResponse {
    var text: String { body.map { String(buffer: $0) } ?? "" }

    /// The CSRF token in the page's hidden `_token` field.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_token" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    var setCookies: [String] { headers[.setCookie] }
}
#endif
