#if Hummingbird
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Sessions
import SessionsHummingbird
import SessionsHummingbirdTesting
import Testing

/// The test helpers apps use (`seedSession`, `session(leftBy:presenting:)`), in both of
/// Hummingbird's test modes.
@Suite struct SessionTestingTests {
    func app(_ manager: SessionManager) -> some ApplicationProtocol {
        let router = Router(context: TestContext.self)
        let group = router.group().add(middleware: StartSessionMiddleware(manager: manager))
        group.get("dashboard") { _, context in
            guard let user: String = try context.session.get("user") else { throw HTTPError(.unauthorized) }
            try context.session.put("visits", context.session.get("visits", default: 0) + 1)
            return "hello \(user)"
        }
        group.get("rotate") { _, context in
            try context.session.regenerate()
            return "rotated"
        }
        group.get("logout") { _, context in
            try context.session.invalidate()
            return "bye"
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func seededRequestsSeeTheSessionAndLeaveTheirChanges(_ setup: TestingSetup) async throws {
        var config = SessionConfig()
        config.driver = "memory"
        let manager = try SessionManager(config: config)
        try await app(manager).test(setup) { client in
            let seeded = try await manager.seedSession(["user": "ada"])
            try await client.execute(uri: "/dashboard", method: .get, headers: seeded.headers) { response in
                #expect(String(buffer: response.body) == "hello ada")
                let after = try await manager.session(leftBy: response, presenting: seeded)
                #expect(after?.get("visits", as: Int.self) == 1)
            }
            try await client.execute(uri: "/dashboard", method: .get) { response in
                #expect(response.status == .unauthorized, "a request without the seeded session saw it")
            }
            // A rotated ID is followed; a logout leaves no session behind.
            let rotated = try await client.execute(uri: "/rotate", method: .get, headers: seeded.headers) { response in
                try await manager.session(leftBy: response, presenting: seeded)
            }
            #expect(rotated != nil && rotated?.id.rawValue != seeded.id)
            #expect(rotated?.get("user", as: String.self) == "ada")
            try await client.execute(uri: "/logout", method: .get, headers: [.cookie: "swift_session=\(rotated?.id.rawValue ?? "")"]) { response in
                let left = try await manager.session(leftBy: response)
                #expect(left == nil, "a logout left a session behind")
            }
        }
    }

    @Test func throughTheRouter() async throws { try await seededRequestsSeeTheSessionAndLeaveTheirChanges(.router) }
    @Test func throughALiveServer() async throws { try await seededRequestsSeeTheSessionAndLeaveTheirChanges(.live) }

    @Test func aHeaderLookupSeedsTheHeader() async throws {
        var config = SessionConfig()
        config.driver = "memory"
        config.lookup = [.header("X-Session-Id")]
        let manager = try SessionManager(config: config)
        let seeded = try await manager.seedSession(["user": "grace"])
        #expect(seeded.headers[HTTPField.Name("X-Session-Id")!] == seeded.id)
        #expect(seeded.headers[.cookie] == nil)
        try await app(manager).test(.router) { client in
            try await client.execute(uri: "/rotate", method: .get, headers: seeded.headers) { response in
                let after = try await manager.session(leftBy: response, presenting: seeded)
                #expect(after?.get("user", as: String.self) == "grace" && after?.id.rawValue != seeded.id)
            }
        }
    }
}
#endif
