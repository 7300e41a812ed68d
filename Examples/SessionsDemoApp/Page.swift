#if Hummingbird
import Hummingbird

/// The demo's HTML pages: small, readable, and escaped.
enum Page {
    static func html(_ title: String, _ body: String) -> Response {
        let document = """
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
        return Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: document))
        )
    }

    static func flash(_ message: String?) -> String {
        message.map { #"<p class="flash" id="flash">\#(escape($0))</p>"# } ?? ""
    }

    static func hiddenToken(_ token: String) -> String {
        #"<input type="hidden" name="_token" value="\#(escape(token))">"#
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func text(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
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
