#if Hummingbird
import Hummingbird
import Sessions
import SessionsHummingbird

/// The demo's routes: a public page, a health check, and a session group with a login form,
/// a dashboard, logout and a counter.
enum DemoRoutes {
    static func add(to router: Router<DemoContext>, sessions: SessionManager) {
        router.get("/") { _, _ in
            Page.html(
                "Sessions demo",
                """
                <h1>Sessions demo</h1>
                <p>This page has no session: no cookie is set here.</p>
                <ul><li><a href="/login">Sign in</a> (any name, password <code>secret</code>)</li>
                <li><a href="/dashboard">Dashboard</a></li><li><a href="/counter">Counter</a></li></ul>
                """
            )
        }
        router.get("/health") { _, _ in "ok" }

        let group = router.group()
            .add(middleware: StartSessionMiddleware<DemoContext>(manager: sessions))
            .add(middleware: VerifyCSRFTokenMiddleware<DemoContext>(originCheck: CSRFOriginCheck()))
        group.get("/login", use: showLogin)
        group.post("/login", use: login)
        group.get("/dashboard", use: dashboard)
        group.post("/logout", use: logout)
        group.get("/counter") { _, context in
            Page.text("count: \(try context.session.increment("count"))")
        }
    }

    static func showLogin(_ request: Request, context: DemoContext) async throws -> Response {
        let session = try context.session
        return Page.html(
            "Sign in",
            """
            <h1>Sign in</h1>
            \(Page.flash(session.get("status")))
            <form method="post" action="/login">
            \(Page.hiddenToken(session.token))
            <label>Name <input name="username" id="username" autocomplete="username"></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
            <button type="submit" id="sign-in">Sign in</button>
            </form>
            """
        )
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
        guard let username = form.username, !username.isEmpty, form.password == "secret" else {
            session.flash("status", "Invalid credentials")
            return Page.redirect(to: "/login")
        }
        session.regenerate()
        session.put("user", username)
        session.flash("status", "Welcome, \(username)!")
        return Page.redirect(to: "/dashboard")
    }

    static func dashboard(_ request: Request, context: DemoContext) async throws -> Response {
        let session = try context.session
        guard let user: String = session.get("user") else {
            session.flash("status", "Please sign in first")
            return Page.redirect(to: "/login")
        }
        return Page.html(
            "Dashboard",
            """
            <h1>Dashboard</h1>
            \(Page.flash(session.get("status")))
            <p id="signed-in">Signed in as \(Page.escape(user))</p>
            <form method="post" action="/logout">
            \(Page.hiddenToken(session.token))
            <button type="submit" id="sign-out">Sign out</button>
            </form>
            """
        )
    }

    static func logout(_ request: Request, context: DemoContext) async throws -> Response {
        let session = try context.session
        session.invalidate()
        session.flash("status", "Signed out")
        return Page.redirect(to: "/login")
    }
}
#endif
