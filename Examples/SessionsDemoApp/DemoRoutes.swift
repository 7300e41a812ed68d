#if Hummingbird
import Hummingbird
import Sessions
import SessionsDemoShared
import SessionsHummingbird

/// The demo's routes: a public page, a health check, and a session group with a login form,
/// a dashboard, logout and a counter.
enum DemoRoutes {
    static func add(to router: Router<DemoContext>, sessions: SessionManager) {
        router.get("/") { _, _ in Page.html(DemoPages.home) }
        router.get("/health") { _, _ in "ok" }

        let group = router.group()
            .add(middleware: StartSessionMiddleware<DemoContext>(manager: sessions))
            .add(middleware: VerifyCSRFTokenMiddleware<DemoContext>(originCheck: CSRFOriginCheck()))
        group.get("/login") { _, context in
            let session = try context.session
            return Page.html(DemoPages.login(flash: session.get("status"), token: session.token))
        }
        group.post("/login", use: login)
        group.get("/dashboard", use: dashboard)
        group.post("/logout") { _, context in
            let session = try context.session
            session.invalidate()
            session.flash("status", DemoPages.signedOut)
            return Page.redirect(to: "/login")
        }
        group.get("/counter") { _, context in
            Page.text(DemoPages.counter(try context.session.increment("count")))
        }
    }

    struct Credentials: Decodable {
        var username: String?
        var password: String?
    }

    static func login(_ request: Request, context: DemoContext) async throws -> Response {
        let session = try context.session
        let form = try await URLEncodedFormDecoder().decode(
            Credentials.self,
            from: String(buffer: request.body.collect(upTo: context.maxUploadSize))
        )
        guard let username = DemoPages.acceptedUser(username: form.username, password: form.password) else {
            session.flash("status", DemoPages.invalidCredentials)
            return Page.redirect(to: "/login")
        }
        session.regenerate()
        session.put("user", username)
        session.flash("status", DemoPages.welcome(username))
        return Page.redirect(to: "/dashboard")
    }

    static func dashboard(_ request: Request, context: DemoContext) async throws -> Response {
        let session = try context.session
        guard let user: String = session.get("user") else {
            session.flash("status", DemoPages.pleaseSignIn)
            return Page.redirect(to: "/login")
        }
        return Page.html(DemoPages.dashboard(user: user, flash: session.get("status"), token: session.token))
    }
}
#endif
