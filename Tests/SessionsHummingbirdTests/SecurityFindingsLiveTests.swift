#if Hummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Sessions
import SessionsAdapterTestSupport
import SessionsDemoApp
import Testing

/// Security findings (issue 16) through the demo on the file driver. Cookie tossing: a sibling
/// subdomain (or an attacker on plain http) adds its own `swift_session` cookie beside the
/// victim's.
@Suite struct SecurityFindingsLiveTests {
    /// Sends `/dashboard` with exactly these `swift_session` values, in order, ahead of nothing else.
    func dashboard(_ browser: LiveClient, presenting values: [String]) async throws -> LiveResponse {
        let header = values.map { "swift_session=\($0)" }.joined(separator: "; ")
        let saved = browser.cookies
        browser.cookies = [:]
        defer { browser.cookies = saved }
        return try await browser.send(.get, "/dashboard", headers: [.cookie: header])
    }

    @Test(arguments: ["unknown", "malformed", "retired"])
    func aTossedCookieNeitherSignsTheVictimOutNorReplacesTheirSession(kind: String) async throws {
        let lines = LogLines()
        var config = DemoTests.config()
        config.driver = "file"
        try await DemoTests().withDemo(.hummingbird, config, logger: Logger(label: "tossing") { _ in lines }) { _, browser in
            _ = try await DemoTests.signIn(browser)
            let victim = try #require(browser.cookies["swift_session"])
            let tossed: String
            switch kind {
            case "unknown": tossed = SessionIdentifier.random().rawValue
            case "malformed": tossed = "not-a-session-id"
            default:
                // The attacker's own session, retired by its sign-in: a tombstone.
                let attacker = browser.newBrowser()
                _ = try await attacker.send(.get, "/login")
                let old = try #require(attacker.cookies["swift_session"])
                _ = try await DemoTests.signIn(attacker, as: "mallory")
                tossed = old
            }
            let response = try await dashboard(browser, presenting: [tossed, victim])
            #expect(response.text.contains("Signed in as ada"), "a tossed \(kind) cookie replaced the victim's session")
            #expect(!response.setCookies.contains { $0.contains("Max-Age=0") }, "a tossed \(kind) cookie made the server clear the victim's cookie")
            #expect(lines.all.contains { $0.contains("a request carried 2 session cookies") }, "no event: \(lines.all)")
        }
    }

    @Test func theFileStoreRevealsNoIDAndAnUpgradeFromRawNamesSignsNobodyOut() async throws {
        var config = DemoTests.config()
        config.driver = "file"
        let folder = config[FileSessionDriver.folderSetting]
        // A first run counts twice and its session file is kept aside (a hard link: the same
        // inode, deadline and all); it comes back under the layout before handle names (the raw
        // ID as the name) in a folder of the mode a checkout gives it.
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("saved-\(UUID())").path
        let cookie = try await DemoTests().withDemo(.hummingbird, config) { _, browser in
            _ = try await browser.send(.get, "/counter")
            #expect(try await browser.send(.get, "/counter").text == "count: 2")
            let cookie = try #require(browser.cookies["swift_session"])
            let id = try #require(SessionIdentifier(validating: cookie))
            #expect(link(folder + "/" + SessionHandle(id).description, saved) == 0)
            return cookie
        }
        #expect(mkdir(folder, 0o755) == 0 && chmod(folder, 0o755) == 0)
        #expect(rename(saved, folder + "/" + cookie) == 0)

        let lines = LogLines()
        try await DemoTests().withDemo(.hummingbird, config, logger: Logger(label: "upgrade") { _ in lines }) { _, browser in
            #expect(lines.all.contains { $0.contains("made its folder \(folder) private (mode 0755 → 0700)") }, "\(lines.all)")
            #expect(lines.all.contains { $0.contains("renamed 1 session file(s) named by raw IDs") }, "\(lines.all)")
            browser.cookies["swift_session"] = cookie
            #expect(try await browser.send(.get, "/counter").text == "count: 3", "the upgrade lost the session")
            _ = try await DemoTests.signIn(browser)
            let signedIn = try #require(browser.cookies["swift_session"])
            var info = stat()
            #expect(stat(folder, &info) == 0 && info.st_mode & 0o777 == 0o700)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            for live in [cookie, signedIn] {
                #expect(!names.contains { $0.contains(live) }, "a file name in \(names) reveals a session ID")
            }
            #expect(names.contains(SessionHandle(try #require(SessionIdentifier(validating: signedIn))).description))
        }
    }

    @Test func aFloodOfCookielessVisitorsSignsOutNoReturningUser() async throws {
        let config = DemoTests.config { $0[MemorySessionDriver.maximumSessionsSetting] = 1_000 }
        try await DemoTests().withDemo(.hummingbird, config) { _, browser in
            var users: [LiveClient] = []
            for index in 0..<100 {
                let user = browser.newBrowser()
                _ = try await DemoTests.signIn(user, as: "user-\(index)")
                #expect(try await user.send(.get, "/dashboard").text.contains("Signed in as user-\(index)"))
                users.append(user)
            }
            // 10× the cap of cookieless /login pages (each stores a session for its CSRF token),
            // in rounds of twice the cap between the users' visits.
            for round in 0..<5 {
                for _ in 0..<2_000 {
                    let page = try await browser.newBrowser().send(.get, "/login")
                    #expect(page.headers[.setCookie] != nil)
                }
                for (index, user) in users.enumerated() {
                    let page = try await user.send(.get, "/dashboard")
                    #expect(page.text.contains("Signed in as user-\(index)"), "round \(round): user \(index) was signed out by the flood")
                }
            }
        }
    }

    @Test func aLogoutLeavesNoSignedInDataReadableOnDisk() async throws {
        var config = DemoTests.config()
        config.driver = "file"
        let folder = config[FileSessionDriver.folderSetting]
        try await DemoTests().withDemo(.hummingbird, config) { _, browser in
            _ = try await DemoTests.signIn(browser, as: "ada-lovelace-1815")
            let signedIn = try #require(browser.cookies["swift_session"])
            let dashboard = try await browser.send(.get, "/dashboard")
            let token = try #require(dashboard.csrfToken)
            _ = try await browser.send(.post, "/logout", form: [("_token", token)])
            // The signed-in ID's file now holds the logout's tombstone, and nothing else.
            let handle = SessionHandle(try #require(SessionIdentifier(validating: signedIn)))
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + handle.description))
            for secret in ["ada-lovelace-1815", token] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(8))… is still readable in the logged-out session's file")
            }
        }
    }

    @Test func aFullDiskRefusesNewVisitorsWith503AndKeepsSignedInUsers() async throws {
        var config = DemoTests.config()
        config.driver = "file"
        // The floor is read when the driver is built: a second demo on the same folder, with
        // more free space demanded than any disk has, stands for the disk filling up.
        var full = config
        full[FileSessionDriver.minimumFreeSetting] = 1_048_576
        try await DemoTests().withDemo(.hummingbird, config) { [full] _, browser in
            _ = try await DemoTests.signIn(browser)
            let cookies = browser.cookies
            try await DemoTests().withDemo(.hummingbird, full) { _, sameBrowser in
                sameBrowser.cookies = cookies
                let dashboard = try await sameBrowser.send(.get, "/dashboard")
                #expect(dashboard.text.contains("Signed in as ada"), "a stored session stopped working when the disk filled")
                let visitor = sameBrowser.newBrowser()
                let login = try await visitor.send(.get, "/login")
                #expect(login.status == .serviceUnavailable)
                #expect(login.headers[.retryAfter] == "5")
                #expect(login.setCookies.isEmpty)
            }
        }
    }

    @Test func anUploadFormCarriesItsCSRFTokenInItsMultipartBody() async throws {
        try await DemoTests().withDemo { _, browser in
            _ = try await DemoTests.signIn(browser)
            let token = try #require(try await browser.send(.get, "/dashboard").csrfToken)
            func upload(_ parts: [(String, String)]) async throws -> HTTPResponse.Status {
                var text = ""
                for (disposition, value) in parts { text += "--B0undary\r\nContent-Disposition: form-data; \(disposition)\r\n\r\n\(value)\r\n" }
                text += "--B0undary--\r\n"
                let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=B0undary"]
                let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                var all = headers
                all[.cookie] = cookie
                return try await browser.newBrowser().send(.post, "/logout", headers: all, body: ByteBuffer(string: text)).status
            }
            #expect(try await upload([(#"name="_token"; filename="t.txt""#, token)]).code == 419, "a file part passed as the token")
            #expect(try await upload([(#"name="note""#, "hi")]).code == 419)
            #expect(try await upload([(#"name="avatar"; filename="a.png""#, "PNG…"), (#"name="_token""#, token)]) == .seeOther,
                "an upload form with the right token was rejected")
        }
    }

    @Test func everyPageCarriesADifferentMaskedTokenAndEachOneValidates() async throws {
        try await DemoTests().withDemo { _, browser in
            let first = try #require(try await browser.send(.get, "/login").csrfToken)
            let second = try #require(try await browser.send(.get, "/login").csrfToken)
            #expect(first != second, "two renders carried the same token bytes (BREACH)")
            #expect(first.count == 80 && second.count == 80)
            let login = try await browser.send(.post, "/login", form: [("_token", first), ("username", "ada"), ("password", "secret")])
            #expect(login.status == .seeOther, "the first page's token stopped validating once a second was rendered")
        }
    }

    @Test func aCrossSiteFormIsRefusedEvenWithAValidToken() async throws {
        try await DemoTests().withDemo { _, browser in
            _ = try await DemoTests.signIn(browser)
            let token = try #require(try await browser.send(.get, "/dashboard").csrfToken)
            let fetchSite = try #require(HTTPField.Name("Sec-Fetch-Site"))
            // The live test client sends `Host: localhost`.
            let refused: [HTTPFields] = [
                [fetchSite: "cross-site"],
                [fetchSite: "same-site", .origin: "http://sub.localhost"],
                [.origin: "https://evil.example"],
                [.origin: "http://localhost:1"],
                [.origin: "null"],
            ]
            for headers in refused {
                let logout = try await browser.send(.post, "/logout", form: [("_token", token)], headers: headers)
                #expect(logout.status.code == 419, "\(headers) passed the origin check")
                #expect(try await browser.send(.get, "/dashboard").text.contains("Signed in as ada"), "a refused request changed the session")
            }
            let sameOrigin = try await browser.send(.post, "/logout", form: [("_token", token)], headers: [.origin: "http://localhost", fetchSite: "same-origin"])
            #expect(sameOrigin.status == .seeOther, "a same-origin form was refused")
        }
    }
}
#endif
