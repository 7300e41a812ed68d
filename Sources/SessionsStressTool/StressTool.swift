import Foundation
import Sessions

/// The subcommands of `sessions-stress-tool`, which drives a ``FileSessionDriver`` from its own
/// OS process so tests can race processes against each other and kill them mid-write.
///
/// - `increment <folder> <id> <count>`: `count` times, reads the session (a decimal integer,
///   missing = 0), writes it plus one conditionally on the version read, and retries on a
///   conflict. Prints `incremented <count> conflicts <n>`.
/// - `session-increment <folder> <id> <count>`: `count` times, loads the session through a
///   `SessionManager` on the file driver, increments `count` and saves (the merge at save
///   makes the increments of overlapping processes add up). Prints `incremented <count>`.
/// - `write-loop <folder>`: rewrites a handful of sessions with self-checking payloads
///   (``SelfCheckingPayload``) as fast as it can, until killed.
/// - `hold-lock <folder> <id> <milliseconds>`: takes the session lock of `id`, prints `locked`,
///   sleeps, and exits without releasing it (the exit releases it).
/// - `hold-record-lock <folder> <id> <milliseconds>`: takes the record lock a write of `id`
///   takes (a POSIX lock on `.lock-<handle>`), prints `locked`, sleeps, and exits holding it.
/// - `open <folder>`: opens a driver on the folder (``FileSessionDriver/open()``) and prints
///   `opened`; run as another user, it shows what the driver does with a folder it does not own.
///
/// Exit codes: 0 done, 1 a driver error, 2 bad arguments.
enum StressTool {
    static let usage = """
        usage: sessions-stress-tool increment <folder> <id> <count>
               sessions-stress-tool open <folder>
               sessions-stress-tool session-increment <folder> <id> <count>
               sessions-stress-tool write-loop <folder>
               sessions-stress-tool hold-lock <folder> <id> <milliseconds>
               sessions-stress-tool hold-record-lock <folder> <id> <milliseconds>
        """

    /// The sessions `write-loop` rewrites.
    static let writeLoopIDs: [SessionIdentifier] = (0..<6).compactMap {
        SessionIdentifier(validating: String(repeating: "W", count: 31) + String($0))
    }

    /// The lifetime the tool's driver uses: long enough that nothing expires during a test.
    static let lifetime = Duration.seconds(86_400)

    /// Metadata for a write now that keeps the session for ``lifetime``.
    static var metadata: SessionMetadata {
        let now = Date()
        return SessionMetadata(expiresAt: now.addingTimeInterval(86_400), createdAt: now)
    }

    /// Runs the subcommand in `arguments` and returns the exit code.
    static func run(_ arguments: [String]) async -> Int32 {
        let command: Command
        switch Command(arguments) {
        case .some(let parsed):
            command = parsed
        case .none:
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        do {
            switch command {
            case .increment(let folder, let id, let count):
                try await increment(folder: folder, id: id, count: count)
            case .sessionIncrement(let folder, let id, let count):
                try await sessionIncrement(folder: folder, id: id, count: count)
            case .writeLoop(let folder):
                try await writeLoop(folder: folder)
            case .holdLock(let folder, let id, let milliseconds):
                try await holdLock(folder: folder, id: id, milliseconds: milliseconds)
            case .holdRecordLock(let folder, let id, let milliseconds):
                try await holdRecordLock(folder: folder, id: id, milliseconds: milliseconds)
            case .open(let folder):
                try await FileSessionDriver(folder: folder, lifetime: lifetime).open()
                print("opened")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("sessions-stress-tool: \(error)\n".utf8))
            return 1
        }
    }

    /// A parsed command line.
    enum Command {
        case increment(folder: String, id: SessionIdentifier, count: Int)
        case sessionIncrement(folder: String, id: SessionIdentifier, count: Int)
        case writeLoop(folder: String)
        case holdLock(folder: String, id: SessionIdentifier, milliseconds: Int)
        case holdRecordLock(folder: String, id: SessionIdentifier, milliseconds: Int)
        case open(folder: String)

        init?(_ arguments: [String]) {
            if arguments.count == 2, arguments[0] == "write-loop" {
                self = .writeLoop(folder: arguments[1])
                return
            }
            if arguments.count == 2, arguments[0] == "open" {
                self = .open(folder: arguments[1])
                return
            }
            // The other commands take a folder, an ID and a count.
            guard arguments.count == 4, let id = SessionIdentifier(validating: arguments[2]),
                let number = Int(arguments[3]), number >= 0
            else { return nil }
            let folder = arguments[1]
            switch arguments[0] {
            case "increment": self = .increment(folder: folder, id: id, count: number)
            case "session-increment": self = .sessionIncrement(folder: folder, id: id, count: number)
            case "hold-lock": self = .holdLock(folder: folder, id: id, milliseconds: number)
            case "hold-record-lock": self = .holdRecordLock(folder: folder, id: id, milliseconds: number)
            default:
                return nil
            }
        }
    }

    static func increment(folder: String, id: SessionIdentifier, count: Int) async throws {
        let driver = FileSessionDriver(folder: folder, lifetime: lifetime)
        var done = 0
        var conflicts = 0
        while done < count {
            let stored = try await driver.read(id)
            var current = 0
            if let stored {
                guard let value = Int(String(decoding: stored.payload, as: UTF8.self)) else {
                    throw StressToolError.unexpectedPayload
                }
                current = value
            }
            let result = try await driver.write(id, payload: Array(String(current + 1).utf8), metadata: metadata, ifVersion: stored?.version)
            switch result {
            case .written: done += 1
            case .conflict, .missing: conflicts += 1
            }
        }
        print("incremented \(done) conflicts \(conflicts)")
    }

    static func sessionIncrement(folder: String, id: SessionIdentifier, count: Int) async throws {
        var config = SessionConfig()
        config.driver = "file"
        config[FileSessionDriver.folderSetting] = folder
        config.lifetime = .seconds(24 * 3600)
        config.lottery = .init(chances: 0, outOf: 100)
        let manager = try SessionManager(config: config)
        for _ in 0..<count {
            guard let session = try await manager.load(id: id.rawValue) else { throw StressToolError.unexpectedPayload }
            try session.increment("count")
            try await session.save()
        }
        print("incremented \(count)")
    }

    static func writeLoop(folder: String) async throws {
        let driver = FileSessionDriver(folder: folder, lifetime: lifetime)
        try await driver.open()
        var round = 0
        while true {
            for (index, id) in writeLoopIDs.enumerated() {
                let fill = UInt8(truncatingIfNeeded: round &* 7 &+ index)
                let payload = SelfCheckingPayload.make(length: Int.random(in: 0...16_384), fill: fill)
                if round.isMultiple(of: 2) {
                    try await driver.write(id, payload: payload, metadata: metadata)
                } else {
                    let version = try await driver.read(id)?.version
                    _ = try await driver.write(id, payload: payload, metadata: metadata, ifVersion: version)
                }
            }
            round &+= 1
        }
    }

    static func holdLock(folder: String, id: SessionIdentifier, milliseconds: Int) async throws {
        let driver = FileSessionDriver(folder: folder, lifetime: lifetime)
        _ = try await driver.lock(id, lease: .seconds(3_600), wait: .seconds(10))
        // Unbuffered, so a parent reading the pipe sees it at once.
        FileHandle.standardOutput.write(Data("locked\n".utf8))
        try await Task.sleep(for: .milliseconds(milliseconds))
    }

    static func holdRecordLock(folder: String, id: SessionIdentifier, milliseconds: Int) async throws {
        // The lock file the driver's writes of `id` lock (`FileSessionDriver.lockPrefix`).
        let fd = open(folder + "/.lock-" + SessionHandle(id).description, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StressToolError.systemCall("open the lock file", errno) }
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_SETLKW, &request) == 0 else { throw StressToolError.systemCall("lock the lock file", errno) }
        FileHandle.standardOutput.write(Data("locked\n".utf8))
        try await Task.sleep(for: .milliseconds(milliseconds))
    }
}

/// Payloads that prove they are whole: a 4-byte little-endian length `n`, a fill byte, `n`
/// copies of it, and a 4-byte little-endian FNV-1a checksum of everything before it.
enum SelfCheckingPayload {
    static func make(length: Int, fill: UInt8) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(length + 9)
        let count = UInt32(truncatingIfNeeded: length)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: count >> UInt32(shift))) }
        bytes.append(fill)
        bytes.append(contentsOf: repeatElement(fill, count: length))
        let sum = checksum(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: sum >> UInt32(shift))) }
        return bytes
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        bytes.reduce(2_166_136_261 as UInt32) { ($0 ^ UInt32($1)) &* 16_777_619 }
    }
}

enum StressToolError: Error, CustomStringConvertible {
    case unexpectedPayload
    case systemCall(String, Int32)

    var description: String {
        switch self {
        case .unexpectedPayload: "the session does not hold a decimal integer"
        case .systemCall(let operation, let code): "could not \(operation): errno \(code)"
        }
    }
}
