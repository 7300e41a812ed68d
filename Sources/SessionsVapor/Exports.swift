#if Vapor
// An app importing the adapter has the core (SessionManager, Session, SessionSlot) and the
// event logging (SessionLogging.observer(logger:)) without imports of its own.
@_exported public import Sessions
@_exported public import SessionsLogging
#endif
