/// The file driver's own settings, and how a manager builds it from them.
extension FileSessionDriver {
    /// The folder for the session files (`files`, `SESSION_FILES`).
    public static let folderSetting = SessionSetting<String>(
        "files", default: "storage/framework/sessions",
        format: .text("a non-empty folder path without NUL characters") { !$0.isEmpty && !$0.unicodeScalars.contains("\u{0}") },
        summary: "The file driver's folder, relative to the working directory unless absolute.")
    /// Whether each write fsyncs (`files_fsync`, `SESSION_FILES_FSYNC`).
    public static let fsyncSetting = SessionSetting<Bool>(
        "files_fsync", default: false, format: .flag,
        summary: "Whether the file driver fsyncs each write and its folder, for durability against power loss.")
    /// The free space below which no new session is stored (`files_min_free_mb`,
    /// `SESSION_FILES_MIN_FREE_MB`): ``minimumFreeBytes`` in MiB.
    public static let minimumFreeSetting = SessionSetting<Int>(
        "files_min_free_mb", default: 64, format: .integer(in: 0...1_048_576, unit: "MiB"),
        summary: "The free space (MiB) the file driver leaves on its disk: below it new sessions get 503, stored ones keep working.")
    /// The driver's own settings, registered with it.
    public static let settings: [any AnySessionSetting] = [folderSetting, fsyncSetting, minimumFreeSetting]

    /// Creates a driver from the manager's context: the folder is ``folderSetting`` (relative to
    /// the current working directory unless absolute), fsync is ``fsyncSetting``, and the
    /// lifetime, clock, name and events are the context's; ``minimumFreeBytes`` is ``minimumFreeSetting``.
    public init(context: SessionDriverContext) {
        self.init(
            folder: context[Self.folderSetting],
            lifetime: context.lifetime,
            fsync: context[Self.fsyncSetting],
            clock: context.clock,
            name: context.name,
            report: context.report
        )
        minimumFreeBytes = context[Self.minimumFreeSetting] << 20
    }
}
