import Foundation
import Testing

@testable import Sessions

/// The README says what the code does.
@Suite struct ReadmeTests {
    static let readme = SessionConfigTests.packageRoot.appendingPathComponent("README.md")
    static let start = "<!-- settings table: made from SessionConfig.builtInSettings; ReadmeTests checks it -->"
    static let end = "<!-- end of settings table -->"

    @Test func theConfigurationTableIsTheDeclarations() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let from = try #require(text.range(of: Self.start), "README.md lacks the settings table's start marker")
        let to = try #require(text.range(of: Self.end, range: from.upperBound..<text.endIndex), "README.md lacks its end marker")
        let table = text[from.upperBound..<to.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = SessionConfig.markdownTable(of: SessionConfig.builtInSettings)
        #expect(table == expected, "README.md's settings table is out of date; it should read:\n\(expected)")
    }

    @Test func theTableShowsFallbacksAndRedactsSecrets() {
        let secret = SessionSetting<String>("api_key", default: "hunter2", format: .text("anything") { _ in true }, secret: true, summary: "A | key.")
        let table = SessionConfig.markdownTable(of: [SessionConfig.Settings.secure.declaration, secret.declaration])
        #expect(table.contains("| `secure` | `SESSION_SECURE` (or `SESSION_SECURE_COOKIE`) | `false` |"))
        #expect(table.contains("| `api_key` | `SESSION_API_KEY` | `redacted` | A \\| key. |"))
        #expect(!table.contains("hunter2"))
    }

    @Test func theReadmesCustomDriverIsTheOneTheTestsRun() throws {
        let readme = try String(contentsOf: Self.readme, encoding: .utf8)
        let tests = try String(
            contentsOf: SessionConfigTests.packageRoot.appendingPathComponent("Tests/SessionsTests/ReadmeDriverTests.swift"),
            encoding: .utf8)
        func driver(in text: String) -> Substring? {
            guard let start = text.range(of: "actor DictionaryDriver"),
                let end = text.range(of: "\n}\n", range: start.upperBound..<text.endIndex)
            else { return nil }
            return text[start.lowerBound..<end.upperBound]
        }
        let shown = try #require(driver(in: readme), "README.md lacks the DictionaryDriver")
        #expect(shown == driver(in: tests), "README.md's DictionaryDriver differs from the one ReadmeDriverTests runs")
    }
}
