#if Hummingbird
import Foundation
import Hummingbird
import HummingbirdTesting
import Sessions

/// A browser-like client over HummingbirdTesting's live mode: it keeps cookies between requests
/// (honouring `Max-Age=0`) and reads the CSRF token out of pages. Each `LiveClient` is one
/// browser; ``newBrowser()`` starts another with an empty cookie jar.
final class LiveClient {
    /// The server this browser talks to (a test of several instances points it at another).
    var client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    func newBrowser() -> LiveClient { LiveClient(client) }

    /// Sends a request with the jar's cookies, then files the response's `Set-Cookie`s.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        form: [(String, String)]? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
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

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The CSRF token in the page's hidden `_token` field.
    var csrfToken: String? {
        guard let range = text.range(of: #"name="_token" value=""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    var setCookies: [String] { headers[values: .setCookie] }
}
#endif
