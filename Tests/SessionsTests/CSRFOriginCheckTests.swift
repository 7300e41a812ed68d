import Testing

@testable import Sessions

@Suite struct CSRFOriginCheckTests {
    let check = CSRFOriginCheck(trustedOrigins: ["https://Admin.Example.com:443"])

    @Test(arguments: [
        // Fetch Metadata decides when a browser sent it.
        ("same-origin", nil, "example.com", true),
        ("none", nil, "example.com", true),
        ("SAME-ORIGIN", "https://evil.example", "example.com", true),
        ("cross-site", nil, "example.com", false),
        ("same-site", "https://sub.example.com", "example.com", false),
        ("cross-site", "https://admin.example.com", "example.com", true),
        ("cross-site", "https://admin.example.com:8443", "example.com", false),
        // Without it, Origin against Host, default ports aside.
        (nil, "https://example.com", "example.com", true),
        (nil, "https://example.com", "example.com:443", true),
        (nil, "http://127.0.0.1:8080", "127.0.0.1:8080", true),
        (nil, "http://127.0.0.1:8080", "127.0.0.1:9090", false),
        (nil, "https://evil.example", "example.com", false),
        (nil, "https://example.com.evil.example", "example.com", false),
        (nil, "null", "example.com", false),
        (nil, "https://example.com/path", "example.com", false),
        (nil, "ftp://example.com", "example.com", false),
        (nil, "https://example.com", nil, false),
        (nil, "https://admin.example.com", "example.com", true),
        // Neither header: a non-browser client; the token alone guards it.
        (nil, nil, "example.com", true),
    ] as [(String?, String?, String?, Bool)])
    func aRequestPassesOnlyFromItsOwnOriginOrATrustedOne(fetchSite: String?, origin: String?, host: String?, passes: Bool) {
        #expect(check.permits(fetchSite: fetchSite, origin: origin, host: host) == passes)
    }

    @Test func trustedOriginsAreHeldNormalizedAndMalformedOnesDropped() {
        let check = CSRFOriginCheck(trustedOrigins: ["HTTPS://A.example:443", "http://b.example:80", "null", "c.example"])
        #expect(check.trustedOrigins == ["https://a.example", "http://b.example"])
    }
}
