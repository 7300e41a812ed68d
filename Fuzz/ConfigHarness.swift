/// Config-file parsing: any bytes give a configuration that passes every check, or an error
/// that names a key (or says the file is not a JSON object), never a crash.
enum ConfigHarness {
    static func run(_ bytes: [UInt8]) {
        do {
            let config = try SessionConfig.decode(json: bytes, file: "fuzz.json")
            do {
                try config.validate()
                _ = try SessionManager(config: config)
            } catch {
                require(false, "a decoded configuration fails its own checks: \(error)")
            }
        } catch {
            switch error {
            case .malformedFile(let path, let reason):
                require(path == "fuzz.json" && !reason.isEmpty, "a malformed-file error without its reason")
            case .inconsistent(let message):
                require(message.contains("requires") || message.contains("must be less than"), "an unclear inconsistency: \(message)")
            default:
                require(error.key.map { !$0.isEmpty && error.description.contains($0) } ?? false, "an error naming no key: \(error)")
            }
        }
    }
}
