import Foundation
import Sessions

/// The data the benchmarks store, built through the public API only (the codec is internal).
public enum Fixtures {
    /// The "small fixture": what a typical logged-in session holds (9 keys and the CSRF token).
    public static func putSmall(into session: Session) {
        session.put("user_id", 42)
        session.put("name", "Ada Lovelace")
        _ = session.token
        session.put("is_admin", false)
        session.put("remember_me", true)
        session.put("dark_mode", true)
        session.put("count", 7)
        session.put("cart_items", 3)
        session.put("unread", 12)
        session.put("locale", "en-GB")
    }

    /// The small fixture's encoded payload, produced by a real session saved to a throwaway
    /// memory driver.
    /// Metadata of a session written at `now` (the system's time by default) that lives two hours.
    public static func metadata(at now: Date = Date()) -> SessionMetadata {
        SessionMetadata(expiresAt: now.addingTimeInterval(7_200), createdAt: now)
    }

    public static func smallPayload() async throws -> [UInt8] {
        try await payload { putSmall(into: $0) }
    }

    /// The ~1 KB profile's encoded payload, produced the same way.
    public static func profilePayload() async throws -> [UInt8] {
        try await payload { Profile.sample.put(into: $0) }
    }

    /// A manager whose default driver is `driver` (files in `folder`).
    public static func manager(driver: String = "memory", folder: String? = nil) -> SessionManager {
        var config = SessionConfig()
        config.driver = driver
        if let folder { config[FileSessionDriver.folderSetting] = folder }
        // The configuration is fixed and valid: a failure is a bug in this fixture, not input.
        guard let manager = try? SessionManager(config: config) else { preconditionFailure("the fixture's configuration is invalid") }
        return manager
    }

    /// A fresh folder under the system's temporary directory.
    public static func temporaryFolder(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sessions-bench-\(label)-\(UUID().uuidString)").path
    }

    private static func payload(_ fill: (Session) -> Void) async throws -> [UInt8] {
        let manager = manager()
        let session = try await manager.buildSession()
        fill(session)
        try await session.save()
        guard let stored = try await manager.driver().read(session.id) else { throw FixtureError.notStored }
        return stored.payload
    }
}

public enum FixtureError: Error {
    case notStored
    case unexpected(String)
}

/// The small fixture as one Codable struct: the JSON baseline for a session round trip.
public struct SmallFixture: Codable, Sendable, Equatable {
    var user_id = 42
    var name = "Ada Lovelace"
    var token = "3q2-7wAAAAC0ZGQ5OWUyLWJlbmNobWFyay10b2tl"
    var is_admin = false
    var remember_me = true
    var dark_mode = true
    var count = 7
    var cart_items = 3
    var unread = 12
    var locale = "en-GB"

    public static let sample = SmallFixture()
}

/// A nested struct: stored by `Sessions` as JSON under its own tag.
public struct Preferences: Codable, Sendable, Equatable {
    var theme: String
    var pageSize: Int
    var emailDigest: Bool
    var timezone: String
    var pinned: [String]
}

/// The ~1 KB payload: 10 keys with longer strings and a nested Codable struct. The same value
/// goes through a session (10 `put`s, 10 typed `get`s) and through Foundation's JSON coders.
public struct Profile: Codable, Sendable, Equatable {
    var user_id: Int
    var name: String
    var email: String
    var bio: String
    var last_path: String
    var referrer: String
    var roles: [String]
    var preferences: Preferences
    var login_at: Date
    var visits: Int

    public static let sample = Profile(
        user_id: 1_048_576,
        name: "Augusta Ada King, Countess of Lovelace",
        email: "ada.lovelace@analytical-engine.example.org",
        bio: String(
            repeating: "Mathematician and writer, chiefly known for her work on the Analytical Engine. ",
            count: 5
        ),
        last_path: "/projects/analytical-engine/notes/g/bernoulli-numbers?section=diagram&highlight=operation-25#table",
        referrer: "https://www.example.com/search?q=first+computer+program+bernoulli+numbers&source=bookmarks",
        roles: ["admin", "editor", "reviewer", "billing", "support"],
        preferences: Preferences(
            theme: "solarized-dark",
            pageSize: 50,
            emailDigest: true,
            timezone: "Europe/London",
            pinned: ["notes", "diagrams", "letters-to-babbage"]
        ),
        login_at: Date(timeIntervalSince1970: 1_800_000_000),
        visits: 1_337
    )

    /// Puts the 10 values under 10 keys.
    public func put(into session: Session) {
        session.put("user_id", user_id)
        session.put("name", name)
        session.put("email", email)
        session.put("bio", bio)
        session.put("last_path", last_path)
        session.put("referrer", referrer)
        session.put("roles", roles)
        session.put("preferences", preferences)
        session.put("login_at", login_at)
        session.put("visits", visits)
    }

    /// Reads the 10 keys back, each as its type; nil when any is missing.
    public init?(reading session: Session) {
        guard let user_id = session.get("user_id", as: Int.self),
            let name = session.get("name", as: String.self),
            let email = session.get("email", as: String.self),
            let bio = session.get("bio", as: String.self),
            let last_path = session.get("last_path", as: String.self),
            let referrer = session.get("referrer", as: String.self),
            let roles = session.get("roles", as: [String].self),
            let preferences = session.get("preferences", as: Preferences.self),
            let login_at = session.get("login_at", as: Date.self),
            let visits = session.get("visits", as: Int.self)
        else { return nil }
        self.init(
            user_id: user_id, name: name, email: email, bio: bio, last_path: last_path, referrer: referrer,
            roles: roles, preferences: preferences, login_at: login_at, visits: visits
        )
    }

    init(
        user_id: Int, name: String, email: String, bio: String, last_path: String, referrer: String,
        roles: [String], preferences: Preferences, login_at: Date, visits: Int
    ) {
        self.user_id = user_id
        self.name = name
        self.email = email
        self.bio = bio
        self.last_path = last_path
        self.referrer = referrer
        self.roles = roles
        self.preferences = preferences
        self.login_at = login_at
        self.visits = visits
    }
}
