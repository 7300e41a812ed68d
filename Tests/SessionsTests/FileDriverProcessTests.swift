#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SessionsConformance
import Testing
@testable import Sessions

/// The file driver between OS processes: `sessions-stress-tool` (Sources/SessionsStressTool)
/// drives its own ``FileSessionDriver`` on a folder the test shares with it.
@Suite("FileDriverProcess", .serialized)
struct FileDriverProcessTests {
    static let toolName = "sessions-stress-tool"

    /// The tool's binary: the build puts it beside the test bundle (SwiftPM: in the same
    /// `.build/<triple>/<configuration>` folder). Looks in the folders of the test executable and
    /// of the main bundle, and in their parents.
    static func locateTool() -> (URL?, [String]) {
        var starts = [URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()]
        starts.append(Bundle.main.bundleURL)
        if let executable = Bundle.main.executableURL { starts.append(executable.deletingLastPathComponent()) }
        var searched: [String] = []
        for start in starts {
            var folder = start.standardizedFileURL
            for _ in 0..<5 {
                let candidate = folder.appendingPathComponent(toolName)
                if !searched.contains(folder.path) { searched.append(folder.path) }
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return (candidate, searched) }
                folder = folder.deletingLastPathComponent()
            }
        }
        return (nil, searched)
    }

    /// The tool, or nil after recording why it is missing: a failure on CI (`CI` set), a known
    /// issue elsewhere, never a silent skip.
    static func requireTool() -> URL? {
        let (tool, searched) = locateTool()
        if let tool { return tool }
        let message = Comment(rawValue: """
            \(toolName) was not found beside the test bundle (searched \(searched.joined(separator: ", "))). \
            Build it with `swift build --product \(toolName)` (SwiftPM builds it with the tests when the \
            SessionsStressTool target is in Package.swift); the cross-process tests did not run.
            """)
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record(message)
        } else {
            withKnownIssue(message) { Issue.record(message) }
        }
        return nil
    }

    /// A manager whose default driver keeps its files in `folder`, with no gc lottery.
    static func fileManager(_ folder: String) throws -> SessionManager {
        var config = SessionConfig()
        config.driver = "file"
        config[FileSessionDriver.folderSetting] = folder
        config.lottery = .init(chances: 0, outOf: 100)
        return try SessionManager(config: config)
    }

    /// Starts the tool with `arguments`; its output goes to `output` (or nowhere).
    static func launch(_ tool: URL, _ arguments: [String], output: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = output ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `body` with a fresh folder under the temporary directory, removed afterwards.
    static func withFolder(_ body: (String) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("FileDriverProcessTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url.path)
    }

    @Test("two processes running 500 read-increment-CAS loops each on one session count exactly 1,000")
    func twoProcessesIncrement() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            let id = SessionIdentifier.random()
            let outputs = [Pipe(), Pipe()]
            let processes = try outputs.map { try Self.launch(tool, ["increment", folder, id.rawValue, "500"], output: $0) }
            for (process, output) in zip(processes, outputs) {
                process.waitUntilExit()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationReason == .exit && process.terminationStatus == 0, "the tool failed: \(text)")
                #expect(text.hasPrefix("incremented 500 "), "unexpected output: \(text)")
            }
            let stored = try await FileSessionDriver(folder: folder, lifetime: .seconds(3_600)).read(id)
            #expect(stored.map { String(decoding: $0.payload, as: UTF8.self) } == "1000")
        }
    }

    @Test("two processes doing 500 session increments each through the manager count exactly 1,000")
    func twoProcessesIncrementOneSession() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            let manager = try Self.fileManager(folder)
            let seed = try await manager.buildSession()
            seed.put("count", 0)
            try await seed.save()
            let outputs = [Pipe(), Pipe()]
            let processes = try outputs.map { try Self.launch(tool, ["session-increment", folder, seed.id.rawValue, "500"], output: $0) }
            for (process, output) in zip(processes, outputs) {
                process.waitUntilExit()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationReason == .exit && process.terminationStatus == 0, "the tool failed: \(text)")
            }
            let session = try #require(try await manager.load(id: seed.id.rawValue))
            #expect(session.get("count") == 1000)
        }
    }

    @Test("bad arguments exit with code 2")
    func badArguments() async throws {
        guard let tool = Self.requireTool() else { return }
        for arguments in [[], ["increment", "/tmp", "not-an-id", "5"], ["write-loop"], ["explode"]] {
            let process = try Self.launch(tool, arguments)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2, "\(arguments) exited with \(process.terminationStatus)")
        }
    }

    @Test("a writer killed at random moments (200 times) leaves only whole sessions, and gc clears its temporary files")
    func killedWriters() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            // One longer run first, until every session exists, before the kills start: a fixed
            // pause was not always long enough for the tool to start on a loaded machine.
            let warmUp = try Self.launch(tool, ["write-loop", folder])
            defer { if warmUp.isRunning { kill(warmUp.processIdentifier, SIGKILL) } }
            try await Self.expectEverySessionWritten(by: FileSessionDriver(folder: folder, lifetime: .seconds(3_600)), within: .seconds(20))
            #expect(kill(warmUp.processIdentifier, SIGKILL) == 0)
            warmUp.waitUntilExit()
            #expect(warmUp.terminationReason == .uncaughtSignal, "the write loop stopped by itself (status \(warmUp.terminationStatus))")

            for _ in 0..<200 {
                let writer = try Self.launch(tool, ["write-loop", folder])
                usleep(UInt32.random(in: 1_000...20_000))
                #expect(kill(writer.processIdentifier, SIGKILL) == 0)
                writer.waitUntilExit()
                if writer.terminationReason != .uncaughtSignal {
                    Issue.record("the write loop stopped by itself with status \(writer.terminationStatus)")
                    break
                }
            }

            let now = ManualClock(start: Date())
            let store = FileSessionDriver(folder: folder, lifetime: .seconds(3_600), clock: now.clock)
            try await Self.expectWholeSessions(in: folder, store)

            now.advance(by: store.tempGracePeriod + .seconds(1))
            _ = try await store.gc()
            let left = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(left.filter { $0.hasPrefix(FileSessionDriver.temporaryPrefix) }.isEmpty, "temporary files left: \(left)")
            try await Self.expectWholeSessions(in: folder, store)
        }
    }

    @Test("reads in this process, taking no lock, see only whole sessions while another process rewrites them")
    func readsDuringWritesOfAnotherProcess() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            let writer = try Self.launch(tool, ["write-loop", folder])
            defer {
                if writer.isRunning { kill(writer.processIdentifier, SIGKILL) }
            }
            let store = FileSessionDriver(folder: folder, lifetime: .seconds(3_600))
            try await Self.expectEverySessionWritten(by: store, within: .seconds(10))

            // Checked afterwards, so the reads follow each other closely.
            let clock = ContinuousClock()
            var payloads: [[UInt8]?] = []
            let end = clock.now.advanced(by: .seconds(1))
            while clock.now < end {
                for id in Self.writeLoopIDs { payloads.append(try await store.read(id)?.payload) }
            }
            #expect(writer.isRunning, "the write loop stopped by itself (status \(writer.terminationStatus))")
            let torn = payloads.count { $0.map(Self.isSelfConsistent) != true }
            #expect(torn == 0, "\(torn) of \(payloads.count) reads found no whole session")
        }
    }

    /// The sessions the tool's `write-loop` rewrites (`StressTool.writeLoopIDs`).
    static let writeLoopIDs: [SessionIdentifier] = (0..<6).compactMap {
        SessionIdentifier(validating: String(repeating: "W", count: 31) + String($0))
    }

    /// How many of the write loop's sessions do not read as a session.
    /// Waits until `store` reads every session of the tool's `write-loop`, for at most `limit`,
    /// and expects it did.
    static func expectEverySessionWritten(by store: FileSessionDriver, within limit: Duration) async throws {
        let clock = ContinuousClock()
        let ready = clock.now.advanced(by: limit)
        while try await missingSessions(store) > 0, clock.now < ready {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await missingSessions(store) == 0, "the write loop did not write every session")
    }

    static func missingSessions(_ store: FileSessionDriver) async throws -> Int {
        var missing = 0
        for id in Self.writeLoopIDs where try await store.read(id) == nil { missing += 1 }
        return missing
    }

    @Test("a session lock held by another process excludes this one, survives gc, and is freed when that process dies")
    func lockAcrossProcesses() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            let id = SessionIdentifier.random()
            let output = Pipe()
            let holder = try Self.launch(tool, ["hold-lock", folder, id.rawValue, "20000"], output: output)
            defer {
                if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
            }
            let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            #expect(line == "locked\n")

            let now = ManualClock(start: Date())
            let store = FileSessionDriver(folder: folder, lifetime: .seconds(60), clock: now.clock)
            await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(100))) {
                _ = try await store.lock(id, lease: .seconds(30), wait: .milliseconds(100))
            }
            now.advance(by: .seconds(100_000))
            _ = try await store.gc()
            #expect(FileManager.default.fileExists(atPath: folder + "/.block-" + SessionFileName(id).description))

            #expect(kill(holder.processIdentifier, SIGKILL) == 0)
            holder.waitUntilExit()
            let clock = ContinuousClock()
            let start = clock.now
            let lock = try await store.lock(id, lease: .seconds(30), wait: .seconds(5))
            #expect(clock.now - start < .seconds(1))
            await lock.release()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }

    @Test(
        "a record lock another process holds stalls only its own session: 100 requests of other sessions complete meanwhile",
        .timeLimit(.minutes(1)))
    func aHeldRecordLockStallsNoOtherRequest() async throws {
        guard let tool = Self.requireTool() else { return }
        try await Self.withFolder { folder in
            let manager = try Self.fileManager(folder)
            let driver = try await manager.driver()
            let locked = SessionIdentifier.random()
            let metadata = SessionMetadata.lasting(.seconds(3_600), from: Date())
            try await driver.write(locked, payload: [1], metadata: metadata)

            let output = Pipe()
            let holder = try Self.launch(tool, ["hold-record-lock", folder, locked.rawValue, "60000"], output: output)
            defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
            #expect(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self) == "locked\n")

            // More writers of the locked session than the cooperative pool has threads: were
            // they to wait there, nothing else in the process would run.
            let waiting = ProcessInfo.processInfo.activeProcessorCount + 2
            let landed = Locked(0)
            let writers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<waiting {
                        group.addTask {
                            try await driver.write(locked, payload: [2], metadata: metadata)
                            landed.withLock { $0 += 1 }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Let the writers reach the lock before the other requests start.
            try await Task.sleep(for: .milliseconds(200))

            let lifecycle = SessionLifecycle(manager: manager)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let started = try await lifecycle.start(headers: [])
                        started.session.put("request", index)
                        let answer = try await lifecycle.finish(started, status: 200)
                        #expect(answer.reason == .newID)
                    }
                }
                try await group.waitForAll()
            }
            // Asserted while the lock is still held: the holder runs and no writer got through.
            #expect(holder.isRunning, "the lock holder exited before the other requests finished")
            #expect(landed.withLock { $0 } == 0, "a write went through a record lock another process holds")

            #expect(kill(holder.processIdentifier, SIGKILL) == 0)
            holder.waitUntilExit()
            try await writers.value
            #expect(landed.withLock { $0 } == waiting)
            #expect(try await driver.read(locked)?.payload == [2])
        }
    }

    /// Expects at least one session file in `folder`, and every one to hold a whole
    /// self-checking payload.
    static func expectWholeSessions(in folder: String, _ store: FileSessionDriver) async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { SessionFileName($0) != nil }
        #expect(!names.isEmpty, "the write loop wrote no session")
        for name in names {
            let id = try #require(writeLoopIDs.first { SessionFileName($0).description == name }, "\(name) is no session of the tool's")
            let stored = try #require(try await store.read(id), "\(name) does not read as a session")
            #expect(isSelfConsistent(stored.payload), "\(name) holds a torn payload of \(stored.payload.count) bytes")
        }
    }

    /// Whether `bytes` is a whole payload of the tool's `write-loop`: a 4-byte little-endian
    /// length `n`, a fill byte, `n` copies of it, and a 4-byte little-endian FNV-1a checksum of
    /// everything before it.
    static func isSelfConsistent(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 9 else { return false }
        let length = Int(littleEndian(bytes[0..<4]))
        guard bytes.count == length + 9 else { return false }
        // One plain loop over a buffer: fast enough in a debug build for thousands of payloads.
        return bytes.withUnsafeBufferPointer { buffer in
            let fill = buffer[4]
            var checksum: UInt32 = 2_166_136_261
            for index in 0..<(5 + length) {
                if index > 4 && buffer[index] != fill { return false }
                checksum = (checksum ^ UInt32(buffer[index])) &* 16_777_619
            }
            return checksum == littleEndian(bytes[(5 + length)...])
        }
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reversed().reduce(0) { ($0 << 8) | UInt32($1) }
    }
}
