/// The name a session's files carry in the file driver's folder: the session's handle (the
/// SHA-256 of its ID, ``SessionHandle``) as 64 lower-case hexadecimal digits. A listing of the
/// folder, a backup or a static file server over it reveals no ID that could be replayed.
///
/// Computed once per driver call, it is also the key of the in-process claims
/// (``FileLockRegistry``).
struct SessionFileName: Hashable, Sendable, CustomStringConvertible {
    /// The number of characters of a name.
    static let length = 64

    /// The 64 hexadecimal digits.
    let description: String

    /// The name of the files of `id`.
    init(_ id: SessionIdentifier) {
        description = SessionHandle(id).description
    }

    /// The name `text` when it is exactly 64 lower-case hexadecimal digits, else nil.
    init?(_ text: some StringProtocol) {
        guard text.utf8.count == Self.length,
            text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        description = String(text)
    }
}
