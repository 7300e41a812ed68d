#if Vapor
public import Sessions
import SessionsDemoShared
import SessionsVapor
public import Vapor

/// The Vapor demo: the same routes, pages, texts and status codes as the Hummingbird demo, on
/// Vapor. A public page, a health check, and a session group with a login form, a dashboard,
/// logout and a counter.
public enum VaporDemo {
    /// Configures `app` with the sessions of `config` (the `counting` driver registered, and
    /// `database` with the Postgres trait) and the demo's routes: what a Vapor app's
    /// `configure(_:)` does.
    /// - Parameter configure: runs after the demo's drivers are registered (tests register
    ///   failing drivers there).
    /// - Returns: the demo's session manager (tests reach its drivers through it).
    /// - Throws: ``Sessions/SessionConfigError`` when `config` holds a bad value.
    @discardableResult
    public static func configure(_ app: Application, config: SessionConfig, configure: (SessionManager) -> Void = { _ in }) throws -> SessionManager {
        let sessions = try DemoSessions.make(config: config, logger: app.logger, configure: configure)
        app.useSessionManager(sessions)

        app.get { _ in html(DemoPages.home) }
        app.get("health") { _ in "ok" }

        let group = app.grouped(StartSessionMiddleware(manager: sessions), VerifyCSRFTokenMiddleware(originCheck: CSRFOriginCheck()))
        group.get("login") { req in
            let session = try req.managedSession
            return html(DemoPages.login(flash: session.get("status"), token: session.token))
        }
        group.post("login", use: login)
        group.get("dashboard", use: dashboard)
        group.post("logout") { req in
            let session = try req.managedSession
            session.invalidate()
            session.flash("status", DemoPages.signedOut)
            return req.redirect(to: "/login", redirectType: .normal)
        }
        group.get("counter") { req in DemoPages.counter(try req.managedSession.increment("count")) }
        return sessions
    }

    struct Credentials: Content {
        var username: String?
        var password: String?
    }

    static func login(_ req: Request) async throws -> Response {
        let session = try req.managedSession
        let form = try req.content.decode(Credentials.self)
        guard let username = DemoPages.acceptedUser(username: form.username, password: form.password) else {
            session.flash("status", DemoPages.invalidCredentials)
            return req.redirect(to: "/login", redirectType: .normal)
        }
        session.regenerate()
        session.put("user", username)
        session.flash("status", DemoPages.welcome(username))
        return req.redirect(to: "/dashboard", redirectType: .normal)
    }

    static func dashboard(_ req: Request) async throws -> Response {
        let session = try req.managedSession
        guard let user: String = session.get("user") else {
            session.flash("status", DemoPages.pleaseSignIn)
            return req.redirect(to: "/login", redirectType: .normal)
        }
        return html(DemoPages.dashboard(user: user, flash: session.get("status"), token: session.token))
    }

    static func html(_ document: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: document))
    }
}
#endif
