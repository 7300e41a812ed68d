/// A built and opened driver with everything the sessions on it share, made once per driver by
/// the manager: a session keeps one reference to it instead of copying each part (every copy is
/// a reference count change on an object all requests share).
final class ResolvedDriver: Sendable {
    /// The name the driver is registered under.
    let name: String
    /// The driver.
    let driver: any SessionDriver
    /// Whether the driver writes conditionally (merge at save), read once.
    let writesConditionally: Bool
    /// The session cookie (its name, for ``Session/name``).
    let cookie: SetCookie
    let policy: Session.Policy
    let clock: SessionClock
    let report: SessionEventObserver
    /// Queues this process's saves of one session.
    let saves: KeyedAsyncLock<SessionIdentifier>
    /// Whether the store is down, to report outages once.
    let outage = StoreOutage()

    init(
        name: String,
        driver: any SessionDriver,
        cookie: SetCookie,
        policy: Session.Policy,
        clock: SessionClock,
        report: @escaping SessionEventObserver,
        saves: KeyedAsyncLock<SessionIdentifier>
    ) {
        self.name = name
        self.driver = driver
        self.writesConditionally = driver.capabilities.contains(.conditionalWrites)
        self.cookie = cookie
        self.policy = policy
        self.clock = clock
        self.report = report
        self.saves = saves
    }

    /// Runs a driver call, reporting its duration (``SessionEvent/storeCall(driver:operation:duration:failed:)``),
    /// a failure as a ``SessionEvent/storeError(driver:operation:message:)``, and an outage
    /// (``SessionError/unavailable(reason:)``) once as it begins, changes and ends.
    func call<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let started = ContinuousClock.now
        do {
            let result = try await body()
            report(.storeCall(driver: name, operation: operation, duration: ContinuousClock.now - started, failed: false))
            if outage.succeed() { report(.storeRecovered(driver: name)) }
            return result
        } catch SessionError.unavailable(let reason) {
            report(.storeCall(driver: name, operation: operation, duration: ContinuousClock.now - started, failed: true))
            if outage.fail(reason) { report(.storeUnavailable(driver: name, reason: reason)) }
            throw SessionError.unavailable(reason: reason)
        } catch {
            report(.storeCall(driver: name, operation: operation, duration: ContinuousClock.now - started, failed: true))
            report(.storeError(driver: name, operation: operation, message: String(describing: error)))
            throw error
        }
    }
}
