import Foundation

/// The CSRF form readers: any body is read without a crash, url-encoded or multipart; a `_token`
/// field percent-encoded from any text, put first, reads back as exactly that text whatever
/// follows it; and a multipart `_token` part holding any line-free text, put first, reads back
/// as that text.
enum FormHarness {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = URLEncodedForm.firstValue(named: "_token", in: text)
        _ = MultipartForm.firstValue(named: "_token", in: bytes, boundary: "B")
        if !("\r\n" + text).contains("\r\n--B") {  // a delimiter inside would end the value early
            let body = Array("--B\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\n\(text)\r\n--B\r\n".utf8) + bytes
            let part = MultipartForm.firstValue(named: "_token", in: body, boundary: "B")
            require(part == text, "a leading multipart _token read back as \(String(describing: part)), not \(text.debugDescription)")
        }
        guard let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else { return }
        let read = URLEncodedForm.firstValue(named: "_token", in: "_token=\(encoded)&\(text)")
        require(read == text, "a leading _token read back as \(String(describing: read)), not \(text.debugDescription)")
    }
}
