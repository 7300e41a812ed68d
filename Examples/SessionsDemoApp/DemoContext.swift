#if Hummingbird
public import Hummingbird
public import SessionsHummingbird

/// The demo's request context: Hummingbird's core storage plus the session slot.
public struct DemoContext: StartSessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var sessionSlot = SessionSlot()

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
#endif
