#if Hummingbird
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Sessions
import SessionsAdapterTestSupport
import SessionsHummingbird
import Synchronization
import Testing

/// Session values as upstream request headers, and the middleware's hooks (failure handler,
/// skip predicate, attached sessions), through a live server.
extension MiddlewareTests {
    static let userIDHeader = HTTPField.Name("X-User-Id")!
    static let rolesHeader = HTTPField.Name("X-Roles")!
    static let noteHeader = HTTPField.Name("X-Note")!

    /// `/up/login` stores a user, roles and a note holding CR/LF; `/up/echo` answers with the
    /// mapped headers the handler sees, one `name=value` line each.
    func withMappedApp(_ body: @Sendable (LiveClient, EventRecorder) async throws -> Void) async throws {
        let events = EventRecorder()
        let manager = try memoryManager(observer: events.observer)
        let mapping = try MapSessionToHeaderMiddleware<TestContext>(["X-User-Id": "user_id", "X-Roles": "roles", "X-Note": "note"])
        try await withApp(manager: manager, { router in
            let group = router.group("up").add(middleware: StartSessionMiddleware(manager: manager)).add(middleware: mapping)
            group.get("login") { _, context in
                let session = try context.session
                session.put("user_id", 42)
                session.put("roles", ["admin", "ops"])
                session.put("note", "fine\r\nX-User-Id: 1")
                return "signed in"
            }
            group.get("echo") { request, _ in
                [Self.userIDHeader, Self.rolesHeader, Self.noteHeader].flatMap { name in
                    request.headers[values: name].map { "\(name)=\($0)" }
                }.joined(separator: "\n")
            }
        }) { client in try await body(client, events) }
    }

    @Test func sessionValuesReachTheHandlerAsHeadersAndForgedCopiesAreStripped() async throws {
        try await withMappedApp { client, events in
            // No session yet: a forged user header (twice) is stripped, nothing is set.
            let forged: HTTPFields = [Self.userIDHeader: "1", Self.userIDHeader: "2", Self.rolesHeader: "root"]
            #expect(try await client.send(.get, "/up/echo", headers: forged).text == "")

            _ = try await client.send(.get, "/up/login")
            let seen = try await client.send(.get, "/up/echo", headers: forged).text
            #expect(seen == "X-User-Id=42\nX-Roles=[\"admin\",\"ops\"]", "the handler saw \(seen)")
            #expect(events.all.contains(.headerValueRefused(header: "X-Note", key: "note")), "the refused value was not reported")
        }
    }

    @Test func aMappedHeaderNameMustBeAFieldName() {
        #expect(throws: MapSessionToHeaderError.invalidHeaderName("X User")) {
            try MapSessionToHeaderMiddleware<TestContext>(["X User": "user_id"])
        }
    }

    @Test func aFailureHandlerShapesTheAnswerToAStoreFailure() async throws {
        var config = SessionConfig()
        config.driver = "down"
        let manager = try SessionManager(config: config)
        manager.extend("down") { _ in FailingDriver.unreachable }
        manager.extend("broken") { _ in FailingDriver.broken }
        let seen = Mutex<[SessionFailure.Stage]>([])
        let handler: StartSessionMiddleware<TestContext>.FailureHandler = { failure, request, _ in
            seen.withLock { $0.append(failure.stage) }
            var response = Response(
                status: .init(code: failure.status),
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"\#(failure.isTransient ? "retry" : "broken")","path":"\#(request.uri.path)"}"#)))
            response.headers[.contentType] = "application/json"
            if let seconds = failure.retryAfter { response.headers[.retryAfter] = String(seconds) }
            return response
        }
        try await withApp(manager: manager, { router in
            router.group("api").add(middleware: StartSessionMiddleware(manager: manager, onFailure: handler))
                .get("me") { _, context in try context.session.get("user", default: "stranger") }
            router.group("save").add(middleware: StartSessionMiddleware(manager: manager, driver: "broken", onFailure: handler))
                .get("new") { _, context in
                    try context.session.put("x", 1)
                    return "stored?"
                }
            router.group("plain").add(middleware: StartSessionMiddleware(manager: manager))
                .get("me") { _, _ in "unreachable" }
        }) { client in
            let load = try await client.send(.get, "/api/me", headers: [.cookie: "swift_session=\(SessionIdentifier.random().rawValue)"])
            #expect(load.status == .serviceUnavailable)
            #expect(load.headers[.contentType] == "application/json" && load.headers[.retryAfter] == "5")
            #expect(load.text == #"{"error":"retry","path":"/api/me"}"#)

            let save = try await client.send(.get, "/save/new")
            #expect(save.status == .internalServerError)
            #expect(save.text == #"{"error":"broken","path":"/save/new"}"#)
            #expect(save.setCookies.isEmpty, "a failed save sent a cookie")
            #expect(seen.withLock { $0 } == [.load, .save])

            // Without a handler: the default answer, which the handler's failure also describes.
            let plain = try await client.send(.get, "/plain/me", headers: [.cookie: "swift_session=\(SessionIdentifier.random().rawValue)"])
            #expect(plain.status == .serviceUnavailable && plain.headers[.retryAfter] == "5" && plain.text.isEmpty)
        }
    }

    @Test func skippedRequestsGoOnWithoutASession() async throws {
        let manager = try memoryManager()
        let middleware = StartSessionMiddleware<TestContext>(manager: manager, skip: { request, _ in request.uri.path.hasPrefix("/site/static/") })
        try await withApp(manager: manager, { router in
            let site = router.group("site").add(middleware: middleware)
            site.get("static/app.css") { _, context in context.sessionSlot.session == nil ? "no session" : "a session" }
            site.get("page") { _, context in "\(try context.session.increment("views"))" }
        }) { client in
            let asset = try await client.send(.get, "/site/static/app.css")
            #expect(asset.text == "no session")
            #expect(asset.setCookies.isEmpty && asset.headers[.vary] == nil, "a skipped request got session headers")
            let page = try await client.send(.get, "/site/page")
            #expect(page.text == "1" && page.setCookies.count == 1)
        }
    }

    @Test func aSessionTheAppAttachedIsUsedSavedAndAnsweredFor() async throws {
        let manager = try memoryManager()
        // An app's API-key middleware: the key names a stored session.
        let seeded = try await manager.buildSession()
        seeded.put("user", "ada")
        try await seeded.save()
        let keys = ["key-ada": seeded.id.rawValue]
        struct APIKeyMiddleware: RouterMiddleware {
            let manager: SessionManager
            let keys: [String: String]
            func handle(_ request: Request, context: TestContext, next: (Request, TestContext) async throws -> Response) async throws -> Response {
                var context = context
                if let key = request.headers[HTTPField.Name("X-Api-Key")!], let id = keys[key], let session = try await manager.load(id: id) {
                    context.sessionSlot.attach(session)
                } else if request.uri.path.hasSuffix("/fresh") {
                    context.sessionSlot.attach(try await manager.buildSession())
                }
                return try await next(request, context)
            }
        }
        try await withApp(manager: manager, { router in
            let group = router.group("keyed").add(middleware: APIKeyMiddleware(manager: manager, keys: keys))
                .add(middleware: StartSessionMiddleware(manager: manager))
            group.get("count") { _, context in
                let session = try context.session
                return "\(session.get("user", default: "stranger")) \(try session.increment("count"))"
            }
            group.get("fresh") { _, context in "\(try context.session.increment("count"))" }
        }) { client in
            // Any cookie the request carries is not looked at: the attached session is used.
            let other = "swift_session=\(SessionIdentifier.random().rawValue)"
            let first = try await client.newBrowser().send(.get, "/keyed/count", headers: [HTTPField.Name("X-Api-Key")!: "key-ada", .cookie: other])
            #expect(first.text == "ada 1")
            #expect(first.setCookies.allSatisfy { $0.hasPrefix("swift_session=\(seeded.id.rawValue);") }, "another ID went out: \(first.setCookies)")
            #expect(try await client.newBrowser().send(.get, "/keyed/count", headers: [HTTPField.Name("X-Api-Key")!: "key-ada"]).text == "ada 2")
            let stored: Int? = try await manager.load(id: seeded.id.rawValue)?.get("count")
            #expect(stored == 2, "the attached session was not saved")

            // A new session the app attached is stored and its ID sent in the cookie.
            let fresh = try await client.newBrowser().send(.get, "/keyed/fresh")
            let cookie = try #require(fresh.setCookies.first)
            let id = try #require(cookie.split(separator: ";").first?.split(separator: "=").last.map(String.init))
            let freshCount: Int? = try await manager.load(id: id)?.get("count")
            #expect(freshCount == 1)
        }
    }
}

#endif
