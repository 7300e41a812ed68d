/// The session configuration, with Laravel's keys (snake_case in `config/session.json`).
///
/// Build it in code, or load it with ``load(file:environment:)``: `config/session.json` when
/// present, then `SESSION_*` environment variables on top. Every value is checked; a bad one
/// throws a ``SessionConfigError`` naming the key and the value.
public struct SessionConfig: Sendable, Equatable {
    /// The default driver's name (`driver`, `SESSION_DRIVER`). Default `file`.
    public var driver: String = "file"
    /// Idle lifetime in minutes (`lifetime`, `SESSION_LIFETIME`). Default 120.
    public var lifetime: Int = 120
    /// Absolute lifetime in minutes, however active the session; 0 means none
    /// (`absolute_lifetime`, `SESSION_ABSOLUTE_LIFETIME`). Default 0.
    public var absoluteLifetime: Int = 0
    /// Whether the cookie lives only until the browser closes (no Max-Age or Expires)
    /// (`expire_on_close`, `SESSION_EXPIRE_ON_CLOSE`). Default false.
    public var expireOnClose: Bool = false
    /// The file driver's folder, relative to the working directory unless absolute
    /// (`files`, `SESSION_FILES`). Default `storage/framework/sessions`.
    public var files: String = "storage/framework/sessions"
    /// Whether the file driver fsyncs each write and its folder, for durability against power
    /// loss (`files_fsync`, `SESSION_FILES_FSYNC`). Default false.
    public var filesFsync: Bool = false
    /// The gc lottery: on each finished request, gc runs with probability `chances / outOf`
    /// (`lottery`, `SESSION_LOTTERY` as `2,100`). Default [2, 100].
    public var lottery: Lottery = Lottery(chances: 2, outOf: 100)
    /// The session cookie's name (`cookie`, `SESSION_COOKIE`). Default `swift_session`.
    public var cookie: String = "swift_session"
    /// The cookie's Path (`path`, `SESSION_PATH`). Default `/`.
    public var path: String = "/"
    /// The cookie's Domain; nil sends none, so the cookie stays on the exact host
    /// (`domain`, `SESSION_DOMAIN`). Default nil.
    public var domain: String? = nil
    /// Whether the cookie is sent over HTTPS only (`secure`, `SESSION_SECURE_COOKIE`).
    /// Default false so a demo works over plain http; turn it on in production.
    public var secure: Bool = false
    /// Whether scripts are kept from reading the cookie (`http_only`, `SESSION_HTTP_ONLY`). Default true.
    public var httpOnly: Bool = true
    /// The cookie's SameSite attribute; nil sends none (`same_site`, `SESSION_SAME_SITE`). Default lax.
    public var sameSite: SameSite? = .lax
    /// Whether the cookie is partitioned (CHIPS) (`partitioned`, `SESSION_PARTITIONED_COOKIE`). Default false.
    public var partitioned: Bool = false
    /// The largest encoded session payload a save accepts, in bytes
    /// (`max_payload_bytes`, `SESSION_MAX_PAYLOAD_BYTES`). Default 65,536.
    public var maxPayloadBytes: Int = 65_536
    /// The most sessions the memory driver holds before it evicts the least recently active
    /// (`memory_max_sessions`, `SESSION_MEMORY_MAX_SESSIONS`). Default 100,000.
    public var memoryMaxSessions: Int = 100_000
    /// Seconds between two renewals of an unchanged session's idle expiry and cookie; 0 picks a
    /// tenth of the lifetime (`touch_interval`, `SESSION_TOUCH_INTERVAL`). Default 0.
    public var touchInterval: Int = 0
    /// The fewest seconds between two lottery-started gc runs of one driver
    /// (`gc_min_interval`, `SESSION_GC_MIN_INTERVAL`). Default 60.
    public var gcMinInterval: Int = 60
    /// Seconds an ID retired by `regenerate` or `invalidate` stays a tombstone: a request still
    /// carrying it sees an empty session, writes nothing and sends no cookie
    /// (`tombstone_lifetime`, `SESSION_TOMBSTONE_LIFETIME`). Default 30.
    public var tombstoneLifetime: Int = 30

    /// The configuration with every default.
    public init() {}

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
    }

    /// The idle lifetime as a duration.
    public var idleLifetime: Duration { .seconds(lifetime * 60) }

    /// The absolute lifetime as a duration, or nil when there is none.
    public var absoluteLifetimeDuration: Duration? {
        absoluteLifetime > 0 ? .seconds(absoluteLifetime * 60) : nil
    }

    /// The effective touch interval in seconds (a tenth of the lifetime when `touchInterval` is 0).
    public var effectiveTouchInterval: Double {
        touchInterval > 0 ? Double(touchInterval) : Double(lifetime * 60) / 10
    }
}
