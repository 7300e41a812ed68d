import Foundation
import Testing

@testable import Sessions

@Suite struct MultipartFormTests {
    static func body(_ parts: [(headers: String, value: String)], boundary: String = "XyZ") -> [UInt8] {
        var text = "preamble\r\n"
        for part in parts { text += "--\(boundary)\r\n\(part.headers)\r\n\r\n\(part.value)\r\n" }
        text += "--\(boundary)--\r\nepilogue"
        return Array(text.utf8)
    }

    @Test func theBoundaryIsReadQuotedOrNot() {
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data; boundary=----WebKitFormBoundary7MA4") == "----WebKitFormBoundary7MA4")
        #expect(MultipartForm.boundary(inContentType: #"Multipart/Form-Data; charset=utf-8; Boundary="a b""#) == "a b")
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data; boundary=") == nil)
        #expect(MultipartForm.boundary(inContentType: "multipart/form-data; boundary=" + String(repeating: "b", count: 71)) == nil)
        #expect(MultipartForm.boundary(inContentType: "application/x-www-form-urlencoded") == nil)
    }

    @Test func theTokenIsFoundFirstMiddleOrLastAndFilesAreSkipped() {
        let token = (headers: #"Content-Disposition: form-data; name="_token""#, value: "abc123")
        let file = (headers: "Content-Disposition: form-data; name=\"_token\"; filename=\"a.txt\"\r\nContent-Type: text/plain", value: "forged")
        let other = (headers: #"content-disposition: form-data; name="title""#, value: "hi\r\nthere")
        for parts in [[token, other], [other, token], [file, other, token]] {
            #expect(MultipartForm.firstValue(named: "_token", in: Self.body(parts), boundary: "XyZ") == "abc123")
        }
        #expect(MultipartForm.firstValue(named: "_token", in: Self.body([file, other]), boundary: "XyZ") == nil, "a file part counted as the field")
        #expect(MultipartForm.firstValue(named: "title", in: Self.body([other]), boundary: "XyZ") == "hi\r\nthere")
    }

    @Test func hostileOrCutBodiesGiveNothingAndNeverCrash() {
        let cut = Array(Self.body([(headers: #"Content-Disposition: form-data; name="_token""#, value: "abc")]).prefix(40))
        #expect(MultipartForm.firstValue(named: "_token", in: cut, boundary: "XyZ") == nil)
        #expect(MultipartForm.firstValue(named: "_token", in: [], boundary: "XyZ") == nil)
        let dashes = [UInt8](repeating: UInt8(ascii: "-"), count: 100_000) + Array("\r\n--XyZ\r\n".utf8)
        #expect(MultipartForm.firstValue(named: "_token", in: dashes, boundary: "XyZ") == nil)
        let almost = Array(String(repeating: "\r\n--XyY", count: 50_000).utf8)
        #expect(MultipartForm.firstValue(named: "_token", in: almost, boundary: "XyZ") == nil)
        let noBlankLine = Array("--XyZ\r\nContent-Disposition: form-data; name=\"_token\"\r\n--XyZ--".utf8)
        #expect(MultipartForm.firstValue(named: "_token", in: noBlankLine, boundary: "XyZ") == nil)
    }
}
