/// The session IDs a request presents, gathered from the lookup's sources in order, each with
/// the source it came from. Malformed cookie headers are tolerated; text that is no valid ID is
/// kept only to report it once.
struct PresentedIDs {
    /// The valid IDs in the order tried, each once, with the first source that presented it.
    private(set) var entries: [(id: SessionIdentifier, source: SessionIDSource)] = []
    /// How many cookies with the session's name the request carried.
    private(set) var cookieCount = 0
    /// The first source that presented anything, a valid ID or not.
    private(set) var firstSource: SessionIDSource?
    /// The first presented text that is no valid ID.
    private(set) var firstRejected: Substring?

    /// The most IDs one request is tried for, from all sources together.
    static let most = 4

    /// The IDs `headers` present under `lookup`'s sources, the cookie's named `cookieName`.
    init(headers: [HeaderField], lookup: [SessionIDSource], cookieName: String) {
        for source in lookup {
            switch source {
            case .cookie:
                // Browsers send the most specific path first; several session cookies mean
                // someone (a sibling subdomain, an attacker on plain http) may have tossed one in.
                for field in headers where field.isNamed("Cookie") && !isFull {
                    CookieHeader.forEachValue(named: cookieName, in: field.value) { value in
                        cookieCount += 1
                        present(value, from: .cookie)
                        return !isFull
                    }
                }
            case .header(let name):
                for field in headers where field.isNamed(name) && !isFull {
                    present(Substring(field.value), from: source)
                }
            }
        }
    }

    /// The valid IDs, in the order tried.
    var ids: [SessionIdentifier] { entries.map(\.id) }

    /// The source that presented `id`, or nil when none did.
    func source(of id: SessionIdentifier) -> SessionIDSource? {
        entries.first { $0.id == id }?.source
    }

    private var isFull: Bool { entries.count >= Self.most }

    private mutating func present(_ value: Substring, from source: SessionIDSource) {
        if firstSource == nil { firstSource = source }
        if let id = SessionIdentifier(validating: value) {
            if !entries.contains(where: { $0.id == id }) { entries.append((id, source)) }
        } else if firstRejected == nil {
            firstRejected = value
        }
    }
}
