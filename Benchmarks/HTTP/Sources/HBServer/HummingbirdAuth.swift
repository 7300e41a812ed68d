import Hummingbird
import HummingbirdAuth

/// The small fixture as HummingbirdAuth stores it: one Codable value per session.
struct Fixture: Codable, Sendable {
    var userID = 42
    var name = "Ada Lovelace"
    var locale = "en-GB"
    var isAdmin = false
    var verified = true
    var beta = false
    var visits = 1
    var planID = 3
    var theme = "dark"
    var count = 0
}

struct AuthContext: SessionRequestContext {
    var coreContext: CoreRequestContextStorage
    let sessions = SessionContext<Fixture>()
    init(source: Source) { coreContext = .init(source: source) }
}

/// HummingbirdAuth's SessionMiddleware on MemoryPersistDriver; sessions live `SESSION_LIFETIME`
/// minutes (HummingbirdAuth's 12 h when unset) and the driver tidies every `GC_EVERY`.
func serveHummingbirdAuth() async throws {
    let minutes = Int(environment["SESSION_LIFETIME"] ?? "") ?? 720
    let storage = MemoryPersistDriver(configuration: .init(tidyFrequency: gcEvery))
    let router = Router(context: AuthContext.self)
    router.add(middleware: SessionMiddleware(storage: storage, defaultSessionExpiration: .seconds(minutes * 60)))
    router.get("/count") { _, context in
        guard var fixture = context.sessions.session else {
            context.sessions.createSession(Fixture(count: 1))
            return "1"
        }
        fixture.count += 1
        _ = context.sessions.updateSession(fixture)
        return "\(fixture.count)"
    }
    try await serve(router, services: [storage])
}
