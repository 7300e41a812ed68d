extension SessionConfig {
    /// A Markdown table of `settings`: key, environment variable, default and what each does.
    /// The README's configuration table is this table of ``builtInSettings`` (a test compares them).
    static func markdownTable(of settings: [SessionSettingDeclaration]) -> String {
        var lines = ["| key | environment variable | default | what it does |", "|---|---|---|---|"]
        for setting in settings {
            let variable = "`\(setting.environmentVariable)`" + (setting.fallbackVariable.map { " (or `\($0)`)" } ?? "")
            let value = setting.isSecret ? SettingText.redaction : setting.renderedDefault
            let summary = setting.summary.replacingOccurrences(of: "|", with: "\\|")
            lines.append("| `\(setting.key)` | \(variable) | `\(value)` | \(summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
