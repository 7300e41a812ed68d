import Foundation

/// The CSRF form reader: any body is read without a crash, and a `_token` field percent-encoded
/// from any text, put first, reads back as exactly that text whatever follows it.
enum FormHarness {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = URLEncodedForm.firstValue(named: "_token", in: text)
        guard let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else { return }
        let read = URLEncodedForm.firstValue(named: "_token", in: "_token=\(encoded)&\(text)")
        require(read == text, "a leading _token read back as \(String(describing: read)), not \(text.debugDescription)")
    }
}
