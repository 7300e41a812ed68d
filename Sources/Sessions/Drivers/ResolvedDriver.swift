/// A built and opened driver with its optional abilities looked up once, when it was built, so
/// that requests do not repeat the dynamic casts.
struct ResolvedDriver: Sendable {
    /// The driver.
    let driver: any SessionDriver
    /// The same driver when it can write conditionally.
    let atomic: (any AtomicSessionDriver)?

    init(_ driver: any SessionDriver) {
        self.driver = driver
        self.atomic = driver as? any AtomicSessionDriver
    }
}
