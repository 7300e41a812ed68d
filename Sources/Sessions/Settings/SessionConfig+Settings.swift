extension SessionConfig {
    /// The core's settings, each declared once. The README's configuration table is made from
    /// these and the built-in drivers' settings (a test keeps the two in step).
    public enum Settings {
        /// The largest `lifetime` and `absolute_lifetime`: ten years, in minutes.
        public static let maximumLifetimeMinutes = 525_600 * 10

        /// `driver` (`SESSION_DRIVER`).
        public static let driver = SessionSetting<String>(
            "driver", default: "file", format: .text("a non-empty driver name") { !$0.isEmpty },
            summary: "The driver sessions are stored with, by its registered name.")
        /// `lifetime` (`SESSION_LIFETIME`).
        public static let lifetime = SessionSetting<Duration>(
            "lifetime", default: .seconds(120 * 60), format: .duration(unit: .minutes, in: 1...maximumLifetimeMinutes),
            summary: "Minutes without a write or touch after which a session expires (the idle lifetime).")
        /// `absolute_lifetime` (`SESSION_ABSOLUTE_LIFETIME`).
        public static let absoluteLifetime = SessionSetting<Duration?>(
            "absolute_lifetime", default: nil,
            format: .duration(unit: .minutes, upTo: maximumLifetimeMinutes, zeroMeans: "none"),
            summary: "Minutes after its creation at which a session ends however active it is; 0 for none.")
        /// `expire_on_close` (`SESSION_EXPIRE_ON_CLOSE`).
        public static let expireOnClose = SessionSetting<Bool>(
            "expire_on_close", default: false, format: .flag,
            summary: "Whether the cookie lives only until the browser closes (no Max-Age or Expires).")
        /// `lottery` (`SESSION_LOTTERY`).
        public static let lottery = SessionSetting<Lottery>(
            "lottery", default: Lottery(chances: 2, outOf: 100), format: Lottery.format,
            summary: "The gc lottery: after a request, gc runs with probability chances / out_of (`2,100` in the environment).")
        /// `cookie` (`SESSION_COOKIE`).
        public static let cookie = SessionSetting<String>(
            "cookie", default: "swift_session",
            format: .text(
                "a non-empty RFC 6265 token: no spaces, control characters, non-ASCII characters or any of ( ) < > @ , ; : \\ \" / [ ] ? = { }",
                isValid: CookieSyntax.isToken),
            summary: "The session cookie's name.")
        /// `lookup` (`SESSION_LOOKUP`).
        public static let lookup = SessionSetting<[SessionIDSource]>(
            "lookup", default: [.cookie], format: SessionIDSource.lookupFormat,
            summary: "Where the session ID travels, tried in order: `cookie`, `header:<Name>`, or both, comma-separated.")
        /// `path` (`SESSION_PATH`).
        public static let path = SessionSetting<String>(
            "path", default: "/",
            format: .text("a path starting with / without ;, commas or control characters", isValid: CookieSyntax.isPath),
            summary: "The cookie's Path.")
        /// `domain` (`SESSION_DOMAIN`).
        public static let domain = SessionSetting<String?>(
            "domain", default: nil,
            format: .optionalText("a domain without ;, commas, spaces or control characters", isValid: CookieSyntax.isDomain),
            summary: "The cookie's Domain; none keeps the cookie on the exact host.")
        /// `secure` (`SESSION_SECURE`).
        public static let secure = SessionSetting<Bool>(
            "secure", default: false, format: .flag, fallbackVariable: "SESSION_SECURE_COOKIE",
            summary: "Whether the cookie goes over HTTPS only; off so the demo works over http, turn it on in production.")
        /// `http_only` (`SESSION_HTTP_ONLY`).
        public static let httpOnly = SessionSetting<Bool>(
            "http_only", default: true, format: .flag,
            summary: "Whether scripts are kept from reading the cookie.")
        /// `same_site` (`SESSION_SAME_SITE`).
        public static let sameSite = SessionSetting<SameSite?>(
            "same_site", default: .lax, format: .optionalChoice(of: SameSite.self),
            summary: "The cookie's SameSite attribute; none requires secure.")
        /// `partitioned` (`SESSION_PARTITIONED`).
        public static let partitioned = SessionSetting<Bool>(
            "partitioned", default: false, format: .flag, fallbackVariable: "SESSION_PARTITIONED_COOKIE",
            summary: "Whether the cookie is partitioned (CHIPS); requires secure.")
        /// `max_payload_bytes` (`SESSION_MAX_PAYLOAD_BYTES`).
        public static let maxPayloadBytes = SessionSetting<Int>(
            "max_payload_bytes", default: 65_536, format: .integer(in: 1...16_777_216, unit: "bytes"),
            summary: "The largest encoded session a save accepts.")
        /// `touch_interval` (`SESSION_TOUCH_INTERVAL`).
        public static let touchInterval = SessionSetting<Duration?>(
            "touch_interval", default: nil,
            format: .duration(unit: .seconds, upTo: maximumLifetimeMinutes * 60, zeroMeans: "a tenth of the lifetime"),
            summary: "Seconds between two renewals of an unchanged session's expiry and cookie; 0 for a tenth of the lifetime.")
        /// `gc_min_interval` (`SESSION_GC_MIN_INTERVAL`).
        public static let gcMinInterval = SessionSetting<Duration>(
            "gc_min_interval", default: .seconds(60), format: .duration(unit: .seconds, in: 0...31_536_000),
            summary: "The fewest seconds between two lottery-started gc runs of one driver.")
        /// `tombstone_lifetime` (`SESSION_TOMBSTONE_LIFETIME`).
        public static let tombstoneLifetime = SessionSetting<Duration>(
            "tombstone_lifetime", default: .seconds(30), format: .duration(unit: .seconds, in: 0...86_400),
            summary: "Seconds an ID retired by regenerate or invalidate stays a tombstone (sees an empty session, sends no cookie).")

        /// Every core setting, in the order the README lists them.
        public static let all: [SessionSettingDeclaration] = [
            driver.declaration, lifetime.declaration, absoluteLifetime.declaration, expireOnClose.declaration,
            lottery.declaration, cookie.declaration, lookup.declaration, path.declaration, domain.declaration, secure.declaration,
            httpOnly.declaration, sameSite.declaration, partitioned.declaration, maxPayloadBytes.declaration,
            touchInterval.declaration, gcMinInterval.declaration, tombstoneLifetime.declaration,
        ]

        /// ``all`` by key.
        static let byKey = Dictionary(all.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }


    /// The default driver's name (``Settings/driver``).
    public var driver: String {
        get { self[Settings.driver] }
        set { self[Settings.driver] = newValue }
    }
    /// The idle lifetime (``Settings/lifetime``).
    public var lifetime: Duration {
        get { self[Settings.lifetime] }
        set { self[Settings.lifetime] = newValue }
    }
    /// The absolute lifetime, or nil for none (``Settings/absoluteLifetime``).
    public var absoluteLifetime: Duration? {
        get { self[Settings.absoluteLifetime] }
        set { self[Settings.absoluteLifetime] = newValue }
    }
    /// Whether the cookie lives until the browser closes (``Settings/expireOnClose``).
    public var expireOnClose: Bool {
        get { self[Settings.expireOnClose] }
        set { self[Settings.expireOnClose] = newValue }
    }
    /// The gc lottery (``Settings/lottery``).
    public var lottery: Lottery {
        get { self[Settings.lottery] }
        set { self[Settings.lottery] = newValue }
    }
    /// The cookie's name (``Settings/cookie``).
    public var cookie: String {
        get { self[Settings.cookie] }
        set { self[Settings.cookie] = newValue }
    }
    /// Where the session ID travels, in the order tried (``Settings/lookup``).
    public var lookup: [SessionIDSource] {
        get { self[Settings.lookup] }
        set { self[Settings.lookup] = newValue }
    }
    /// The cookie's Path (``Settings/path``).
    public var path: String {
        get { self[Settings.path] }
        set { self[Settings.path] = newValue }
    }
    /// The cookie's Domain, or nil for none (``Settings/domain``).
    public var domain: String? {
        get { self[Settings.domain] }
        set { self[Settings.domain] = newValue }
    }
    /// Whether the cookie is HTTPS-only (``Settings/secure``).
    public var secure: Bool {
        get { self[Settings.secure] }
        set { self[Settings.secure] = newValue }
    }
    /// Whether the cookie is hidden from scripts (``Settings/httpOnly``).
    public var httpOnly: Bool {
        get { self[Settings.httpOnly] }
        set { self[Settings.httpOnly] = newValue }
    }
    /// The cookie's SameSite attribute, or nil for none (``Settings/sameSite``).
    public var sameSite: SameSite? {
        get { self[Settings.sameSite] }
        set { self[Settings.sameSite] = newValue }
    }
    /// Whether the cookie is partitioned (``Settings/partitioned``).
    public var partitioned: Bool {
        get { self[Settings.partitioned] }
        set { self[Settings.partitioned] = newValue }
    }
    /// The largest encoded session a save accepts, in bytes (``Settings/maxPayloadBytes``).
    public var maxPayloadBytes: Int {
        get { self[Settings.maxPayloadBytes] }
        set { self[Settings.maxPayloadBytes] = newValue }
    }
    /// The time between renewals of an unchanged session, or nil for a tenth of the lifetime
    /// (``Settings/touchInterval``); ``effectiveTouchInterval`` resolves it.
    public var touchInterval: Duration? {
        get { self[Settings.touchInterval] }
        set { self[Settings.touchInterval] = newValue }
    }
    /// The fewest time between two lottery-started gc runs of a driver (``Settings/gcMinInterval``).
    public var gcMinInterval: Duration {
        get { self[Settings.gcMinInterval] }
        set { self[Settings.gcMinInterval] = newValue }
    }
    /// How long a retired ID stays a tombstone (``Settings/tombstoneLifetime``).
    public var tombstoneLifetime: Duration {
        get { self[Settings.tombstoneLifetime] }
        set { self[Settings.tombstoneLifetime] = newValue }
    }

    /// ``touchInterval``, or a tenth of the lifetime when it is nil.
    public var effectiveTouchInterval: Duration {
        touchInterval ?? lifetime / 10
    }

    /// The values of the cookie's SameSite attribute.
    public enum SameSite: String, Sendable, Equatable, CaseIterable {
        case lax, strict, none

        /// The attribute value as written in `Set-Cookie`.
        public var attributeValue: String {
            switch self {
            case .lax: "Lax"
            case .strict: "Strict"
            case .none: "None"
            }
        }
    }

    /// Laravel's gc lottery: `chances` out of `outOf`.
    public struct Lottery: Sendable, Equatable {
        /// Winning draws.
        public var chances: Int
        /// All draws.
        public var outOf: Int

        /// A lottery that wins `chances` times out of `outOf`.
        public init(chances: Int, outOf: Int) {
            self.chances = chances
            self.outOf = outOf
        }

        /// `[chances, out_of]` in JSON, `chances,out_of` in the environment.
        static let format = SettingFormat<Lottery>(
            expected: "two whole numbers [chances, out_of] with 0 <= chances <= out_of and out_of > 0",
            environmentExpected: "two whole numbers chances,out_of such as 2,100, with 0 <= chances <= out_of and out_of > 0",
            fromJSON: { value in
                guard let items = value.arrayValue, items.count == 2, let chances = items[0].intValue,
                    let outOf = items[1].intValue
                else { return nil }
                return Lottery(chances: chances, outOf: outOf)
            },
            fromEnvironment: { text in
                let parts = SettingText.trimmed(text).split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count == 2, let chances = Int(SettingText.trimmed(String(parts[0]))),
                    let outOf = Int(SettingText.trimmed(String(parts[1])))
                else { return nil }
                return Lottery(chances: chances, outOf: outOf)
            },
            render: { "[\($0.chances), \($0.outOf)]" },
            isValid: { $0.chances >= 0 && $0.outOf > 0 && $0.chances <= $0.outOf }
        )
    }
}
