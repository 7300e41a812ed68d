import Testing

@testable import Sessions

/// The cookie scanner works on bytes: found by the `cookie` fuzz harness (Fuzz/corpus/cookie/greek-question-mark).
@Suite struct CookieHeaderTests {
    static func values(_ header: String) -> [Substring] {
        var values: [Substring] = []
        CookieHeader.forEachValue(named: "swift_session", in: [header]) { value in
            values.append(value)
            return true
        }
        return values
    }

    @Test func aGreekQuestionMarkIsPartOfAValueNotASeparator() {
        // U+037E is canonically equivalent to ";", so as a Character it equals ";"; its UTF-8
        // bytes (CD BE) hold no 0x3B, and the scanner splits only on the byte.
        let values = Self.values("swift_session=a\u{037E}b; other=c")
        #expect(values.map { Array($0.utf8) } == [Array("a\u{037E}b".utf8)])
        #expect(values.first?.contains(";") == true, "Character comparison sees a semicolon")
        #expect(values.first?.utf8.contains(UInt8(ascii: ";")) == false)
    }

    @Test func invalidUTF8IsRepairedAndTheNextCookieIsStillFound() {
        let header = String(decoding: Array("swift_session=\u{FFFD}".utf8) + [0xCD, 0xCD, 0xBE, 0x3B] + Array(" swift_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".utf8), as: UTF8.self)
        #expect(Self.values(header).last == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    }
}

/// The CSRF form reader splits on bytes: found by the `form` fuzz harness
/// (Fuzz/corpus/form/combining-mark-after-ampersand).
@Suite struct URLEncodedFormTests {
    @Test func aCombiningMarkAfterAnAmpersandDoesNotGlueTwoFieldsTogether() {
        #expect(URLEncodedForm.firstValue(named: "_token", in: "_token=abc&\u{064B}x=1") == "abc")
        #expect(URLEncodedForm.firstValue(named: "x", in: "_token=abc&\u{064B}x=1") == nil)
        #expect(URLEncodedForm.firstValue(named: "\u{064B}x", in: "_token=abc&\u{064B}x=1") == "1")
    }

    @Test(arguments: [
        ("_token=a+b%20c", "a b c"),
        ("x=1&_token=first&_token=second", "first"),
        ("_token=%zz", nil),
        ("_token", nil),
        ("%5Ftoken=encoded-name", "encoded-name"),
        ("_token==", "="),
    ] as [(String, String?)])
    func fieldsDecode(form: String, token: String?) {
        #expect(URLEncodedForm.firstValue(named: "_token", in: form) == token)
    }
}
