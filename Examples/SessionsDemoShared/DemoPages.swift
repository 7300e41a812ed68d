#if Logging
/// The demo's pages and messages, whichever framework serves them: both demos answer the same
/// routes with the same HTML, texts and status codes.
public enum DemoPages {
    /// The public home page: it starts no session.
    public static let home = document(
        "Sessions demo",
        """
        <h1>Sessions demo</h1>
        <p>This page has no session: no cookie is set here.</p>
        <ul><li><a href="/login">Sign in</a> (any name, password <code>secret</code>)</li>
        <li><a href="/dashboard">Dashboard</a></li><li><a href="/counter">Counter</a></li></ul>
        """
    )

    /// The sign-in form, with the flash message and the CSRF token.
    public static func login(flash: String?, token: String) -> String {
        document(
            "Sign in",
            """
            <h1>Sign in</h1>
            \(flashParagraph(flash))
            <form method="post" action="/login">
            \(hiddenToken(token))
            <label>Name <input name="username" id="username" autocomplete="username"></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
            <button type="submit" id="sign-in">Sign in</button>
            </form>
            """
        )
    }

    /// The signed-in user's page, with the flash message and a sign-out form.
    public static func dashboard(user: String, flash: String?, token: String) -> String {
        document(
            "Dashboard",
            """
            <h1>Dashboard</h1>
            \(flashParagraph(flash))
            <p id="signed-in">Signed in as \(escape(user))</p>
            <form method="post" action="/logout">
            \(hiddenToken(token))
            <button type="submit" id="sign-out">Sign out</button>
            </form>
            """
        )
    }

    /// The counter's text.
    public static func counter(_ count: Int) -> String { "count: \(count)" }

    /// The name to sign in as when the sign-in form holds acceptable credentials (any name, the
    /// password `secret`), else nil.
    public static func acceptedUser(username: String?, password: String?) -> String? {
        guard let username, !username.isEmpty, password == "secret" else { return nil }
        return username
    }

    /// The flash messages.
    public static let invalidCredentials = "Invalid credentials"
    public static let pleaseSignIn = "Please sign in first"
    public static let signedOut = "Signed out"
    public static func welcome(_ user: String) -> String { "Welcome, \(user)!" }

    /// A whole HTML document.
    static func document(_ title: String, _ body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;line-height:1.5}
        .flash{background:#e8f4ff;border:1px solid #9cc9f5;padding:.5rem 1rem;border-radius:.3rem}
        label{display:block;margin:.5rem 0}</style></head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    static func flashParagraph(_ message: String?) -> String {
        message.map { #"<p class="flash" id="flash">\#(escape($0))</p>"# } ?? ""
    }

    static func hiddenToken(_ token: String) -> String {
        #"<input type="hidden" name="_token" value="\#(escape(token))">"#
    }

    /// Escapes text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
#endif
