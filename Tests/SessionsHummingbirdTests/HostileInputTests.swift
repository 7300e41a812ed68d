#if Hummingbird
import Foundation
import Hummingbird
import HummingbirdTesting
import Sessions
import SessionsDemoApp
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hostile input through the live demo on the file driver: malformed cookie headers, forged IDs,
/// corrupt stored payloads and abusive forms. Every request gets an answer, no file appears
/// outside the sessions folder, and a signed-in user's session is unchanged afterwards.
@Suite struct HostileInputTests {
    static let validLooking = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    /// Cookie header values, sent as raw bytes (some are not UTF-8).
    static let cookieHeaders: [[UInt8]] = [
        Array("swift_session=\(validLooking); swift_session=\(validLooking)".utf8),
        Array("swift_session".utf8),
        Array("swift_session=\"\"; =; ;;; = = =".utf8),
        Array("swift_session=\"\(validLooking)".utf8),
        Array("swift_session=".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 8 * 1024),
        Array("swift_session=".utf8) + [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80],
        Array((0..<400).map { "c\($0)=v" }.joined(separator: "; ").utf8),
        Array("swift_session=../../../../etc/passwd".utf8),
        Array("swift_session=..%2F..%2Fsessions%2F\(validLooking)".utf8),
        Array("swift_session=\(validLooking.dropLast())\u{0410}".utf8),  // a Cyrillic look-alike
        Array("swift_session=\(validLooking)A".utf8),
        Array("swift_session=\(validLooking.dropLast())".utf8),
        Array("swift_session=\(String(repeating: "A", count: 64))".utf8),
        Array("swift_session=.lock-\(validLooking)".utf8),
        Array("swift_session=\(validLooking.dropLast())%00".utf8),
    ]

    @Test func theServerAnswersAndNobodyElsesSessionChanges() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID())")
        let folder = root.appendingPathComponent("sessions").path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var config = SessionConfig()
        config.driver = "file"
        config[FileSessionDriver.folderSetting] = folder
        let demo = try DemoApplication(config: config)

        try await demo.application.test(.live) { client in
            let victim = LiveClient(client)
            _ = try await DemoTests.signIn(victim, as: "ada")
            let victimID = try #require(victim.cookies["swift_session"])
            let before = try #require(try await demo.sessions.load(id: victimID)).all()
            #expect(before["user"] == "ada")
            let port = try #require(client.port)

            for header in Self.cookieHeaders {
                let status = try RawHTTP.status(port: port, request: RawHTTP.get("/counter", cookie: header))
                #expect(status == 200, "a hostile cookie header got \(status)")
            }

            // Corrupt payloads stored under IDs of their own: each reads as a fresh session.
            let driver = try await demo.sessions.driver()
            let payloads: [[UInt8]] = [[], [1], [1, 0, 0], (0..<512).map { _ in UInt8.random(in: 0...255) }, Array("{\"json\": true}".utf8), [99] + [UInt8](repeating: 0, count: 40)]
            for payload in payloads {
                let id = SessionIdentifier.random()
                try await driver.write(id, payload: payload, metadata: SessionMetadata(expiresAt: Date().addingTimeInterval(600), createdAt: Date()))
                let status = try RawHTTP.status(port: port, request: RawHTTP.get("/counter", cookie: Array("swift_session=\(id.rawValue)".utf8)))
                #expect(status == 200, "a corrupt stored payload of \(payload.count) bytes got \(status)")
            }

            // Abusive forms: none may sign anyone in or change the victim's session.
            let forms: [(contentType: String, body: [UInt8])] = [
                ("application/x-www-form-urlencoded", Array(("username=ada&password=secret&" + String(repeating: "x", count: 2 << 20)).utf8)),
                ("application/x-www-form-urlencoded", Array((0..<20_000).map { "k\($0)=v" }.joined(separator: "&").utf8)),
                ("multipart/form-data; boundary=b", Array("--b\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\nforged\r\n--b--\r\n".utf8)),
                ("multipart/form-data; boundary=b", Array("--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nada\r\n--b--\r\n".utf8)),
            ]
            for form in forms {
                let status = try RawHTTP.status(
                    port: port, request: RawHTTP.post("/login", contentType: form.contentType, body: form.body, cookie: Array("swift_session=\(victimID)".utf8)))
                #expect([413, 419].contains(status), "an abusive form got \(status)")
            }

            let after = try #require(try await demo.sessions.load(id: victimID), "the victim's session is gone")
            #expect(after.all() == before, "the victim's session changed")
            let dashboard = try await victim.send(.get, "/dashboard")
            #expect(dashboard.text.contains("Signed in as ada"))
        }

        // Nothing was written outside the sessions folder, and inside it only the driver's own files.
        let outside = try FileManager.default.contentsOfDirectory(atPath: root.path)
        #expect(outside == ["sessions"], "files outside the sessions folder: \(outside)")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let bare = [".lock-", ".block-", ".tmp-"].reduce(name) { $0.hasPrefix($1) ? String($0.dropFirst($1.count)) : $0 }
            #expect(SessionIdentifier(validating: bare.prefix(SessionIdentifier.length)) != nil, "an unexpected file \(name)")
        }
    }
}

/// HTTP/1.1 over a plain socket, so headers can carry bytes no HTTP library would send.
enum RawHTTP {
    static func get(_ path: String, cookie: [UInt8]) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: ".utf8) + cookie + Array("\r\n\r\n".utf8)
    }

    static func post(_ path: String, contentType: String, body: [UInt8], cookie: [UInt8]) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nCookie: ".utf8)
            + cookie + Array("\r\n\r\n".utf8) + body
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `request` to 127.0.0.1:`port` and returns the response's status code.
    static func status(port: Int, request: [UInt8]) throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            // The server may answer (413) and close before reading a huge body: that is an answer.
            if count <= 0 { break }
            sent += count
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while response.count < 16 {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let line = String(decoding: response.prefix(16), as: UTF8.self)
        guard line.hasPrefix("HTTP/1.1 "), let code = Int(line.dropFirst(9).prefix(3)) else {
            throw Failure(description: "no HTTP answer: \(line.debugDescription)")
        }
        return code
    }
}
#endif
