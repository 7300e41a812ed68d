// Writes the payload harness's seeds: real payloads, as the memory driver stores them after a
// session's save. Run by `Fuzz/run --make-seeds`; the output is committed in Fuzz/corpus/payload.
import Foundation

let folder = CommandLine.arguments.dropFirst().first ?? "Fuzz/corpus/payload"
var config = SessionConfig()
config.driver = "memory"
let manager = try SessionManager(config: config)

struct SeedError: Error {
    var name: String
}

struct Profile: Codable, Sendable {
    var name: String
    var roles: [String]
}

let sessions: [(String, (Session) throws -> Void)] = [
    ("empty-token", { _ = $0.token }),
    ("scalars", { $0.put(["user_id": 42, "name": "Ada Lovelace", "admin": false, "ratio": 0.25, "nothing": nil]) }),
    ("collections", { $0.put("tags", ["a", "b"]); $0.put("scores", ["x": 1, "y": 2]); $0.put("when", Date(timeIntervalSince1970: 1_800_000_000)) }),
    ("data-and-struct", { $0.put("blob", Data([0, 1, 2, 255])); $0.put("profile", Profile(name: "Ada", roles: ["admin"])) }),
    ("flash", { $0.flash("status", "Saved!"); $0.now("notice", "Now only"); _ = try $0.increment("count") }),
    ("unicode", { $0.put("é😀", "ünïcødé"); $0.put("", "empty key") }),
]
for (name, fill) in sessions {
    let session = try await manager.buildSession()
    try fill(session)
    try await session.save()
    guard let stored = try await manager.driver().read(session.id) else { throw SeedError(name: name) }
    try Data(stored.payload).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
}
print("wrote \(sessions.count) payload seeds to \(folder)")
