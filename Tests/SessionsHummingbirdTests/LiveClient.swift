#if Hummingbird
import Foundation
import Hummingbird
import HummingbirdTesting
import Sessions

/// A browser-like client: it keeps cookies between requests (honouring `Max-Age=0`) and reads
/// the CSRF token out of pages. It talks to a Hummingbird app through HummingbirdTesting's client
/// or to any server on 127.0.0.1 over a connection of its own (the Vapor demo). Each `LiveClient`
/// is one browser; ``newBrowser()`` starts another with an empty cookie jar.
final class LiveClient {
    /// How requests reach the server.
    enum Transport {
        /// HummingbirdTesting's client of the app under test (`.router` or `.live`).
        case framework(any TestClientProtocol)
        /// A keep-alive connection to a server on 127.0.0.1, on `port`.
        case connection(TestClient, port: Int)
    }

    /// The server this browser talks to (a test of several instances points it at another).
    var transport: Transport
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) {
        transport = .framework(client)
    }

    init(_ connection: TestClient, port: Int) {
        transport = .connection(connection, port: port)
    }

    func newBrowser() -> LiveClient {
        switch transport {
        case .framework(let client): LiveClient(client)
        case .connection(let connection, let port): LiveClient(connection, port: port)
        }
    }

    /// The port of the live server, nil for HummingbirdTesting's `.router` mode.
    var port: Int? {
        switch transport {
        case .framework(let client): client.port
        case .connection(_, let port): port
        }
    }

    /// Sends a request with the jar's cookies (and `form` url-encoded, or `raw` as the body), then
    /// files the response's `Set-Cookie`s.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        form: [(String, String)]? = nil,
        headers extra: HTTPFields = [:],
        body raw: ByteBuffer? = nil
    ) async throws -> LiveResponse {
        var headers = extra
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        var body = raw
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
        }
        let response: LiveResponse
        switch transport {
        case .framework(let client):
            let answer = try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
            response = LiveResponse(status: answer.status, headers: answer.headers, body: answer.body)
        case .connection(let connection, _):
            headers[.connection] = "keep-alive"
            let answer = try await connection.execute(.init(uri, method: method, authority: "localhost", headers: headers, body: body))
            response = LiveResponse(status: answer.status, headers: answer.headers, body: answer.body ?? ByteBuffer())
        }
        for setCookie in response.headers[values: .setCookie] {
            let pair = setCookie.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if setCookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return response
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// A response as a browser sees it, whichever server sent it.
struct LiveResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    var text: String { String(buffer: body) }

    /// The CSRF token in the page's hidden `_token` field.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_token" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    var setCookies: [String] { headers[values: .setCookie] }
}
#endif
