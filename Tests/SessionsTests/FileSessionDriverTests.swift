#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import Sessions

/// A clock the file driver tests move by hand.
private final class FileTestClock: Sendable {
    private let current: Locked<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Locked(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var sessionClock: SessionClock {
        SessionClock { [self] in self.now }
    }
}

/// Runs `body` with a fresh folder under the temporary directory, removed afterwards.
private func withFileTestFolder(_ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("FileSessionDriverTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { fileTestRemoveTree(url.path) }
    try await body(url.path)
}

/// Gives every folder under `path` back its write permission, then removes the tree.
private func fileTestRemoveTree(_ path: String) {
    if let enumerator = FileManager.default.enumerator(atPath: path) {
        for case let child as String in enumerator {
            var info = stat()
            let childPath = path + "/" + child
            if lstat(childPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                _ = chmod(childPath, 0o700)
            }
        }
    }
    _ = chmod(path, 0o700)
    try? FileManager.default.removeItem(atPath: path)
}

/// The permission bits of `path`, or nil when it does not exist.
private func fileTestMode(_ path: String) -> mode_t? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

/// Sets the modification and access times of `path` (not following a symbolic link).
private func fileTestSetTime(_ path: String, _ date: Date) {
    let stamp = FileSessionDriver.timeSpec(of: date)
    let times = [stamp, stamp]
    let result = utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW)
    #expect(result == 0, "utimensat failed for \(path)")
}

/// Creates a regular file at `path` with `text` and the given modification time.
private func fileTestCreateFile(_ path: String, _ text: String = "x", modified: Date? = nil) {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    if let modified { fileTestSetTime(path, modified) }
}

/// The names in `folder` that start with `.tmp-`.
private func fileTestTemporaryFiles(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".tmp-") }
}

private let fileTestAncient = Date(timeIntervalSince1970: 1_000)

@Suite("FileSessionDriver")
struct FileSessionDriverTests {
    private let clock = FileTestClock()
    let lifetime = Duration.seconds(120)

    private func driver(_ folder: String, fsync: Bool = false) -> FileSessionDriver {
        FileSessionDriver(folder: folder, lifetime: lifetime, fsync: fsync, clock: clock.sessionClock)
    }

    // MARK: - Folder and file modes

    @Test("open creates a missing nested folder with mode 0700; session files are 0600")
    func openCreatesNestedFolder() async throws {
        try await withFileTestFolder { root async throws in
            let folder = root + "/a/b/sessions"
            let store = driver(folder)
            try await store.open()
            #expect(fileTestMode(root + "/a") == 0o700)
            #expect(fileTestMode(root + "/a/b") == 0o700)
            #expect(fileTestMode(folder) == 0o700)

            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1, 2, 3])
            #expect(fileTestMode(folder + "/" + id.description) == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [id.description])

            // Opening again over an existing folder is fine.
            try await store.open()
        }
    }

    @Test("write creates the folder when open was not called")
    func writeCreatesFolderLazily() async throws {
        try await withFileTestFolder { root async throws in
            let folder = root + "/lazy/sessions"
            let store = driver(folder)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: Array("hello".utf8))
            #expect(fileTestMode(folder) == 0o700)
            #expect(try await store.read(id)?.payload == Array("hello".utf8))
        }
    }

    @Test("open fails clearly when the folder path is a regular file")
    func openFailsOnFile() async throws {
        try await withFileTestFolder { root async throws in
            fileTestCreateFile(root + "/taken")
            await #expect(throws: FileSessionDriverError.self) { try await driver(root + "/taken").open() }
        }
    }

    @Test("the context initializer reads files, files_fsync, lifetime and clock")
    func contextInitializer() throws {
        var config = SessionConfig()
        config.files = "storage/sessions-test/"
        config.filesFsync = true
        let context = SessionDriverContext(name: "file", config: config, lifetime: .seconds(42), clock: clock.sessionClock)
        let store = FileSessionDriver(context: context)
        let cwd = FileManager.default.currentDirectoryPath
        #expect(store.folder == (cwd.hasSuffix("/") ? cwd : cwd + "/") + "storage/sessions-test")
        #expect(store.fsync)
        #expect(store.lifetime == .seconds(42))
        #expect(store.clock.now == clock.now)

        config.files = "/var/lib/app/sessions"
        config.filesFsync = false
        let absolute = FileSessionDriver(context: SessionDriverContext(name: "file", config: config))
        #expect(absolute.folder == "/var/lib/app/sessions")
        #expect(!absolute.fsync)
        #expect(absolute.lifetime == .seconds(120 * 60))
    }

    // MARK: - Read and write

    @Test("write then read returns the payload and the clock's time; a second write overwrites")
    func writeThenRead() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            try await store.open()
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [10, 20, 30])
            let first = try #require(try await store.read(id))
            #expect(first.payload == [10, 20, 30])
            #expect(abs(first.lastActivity.timeIntervalSince(clock.now)) < 0.001)

            clock.advance(seconds: 30)
            try await store.write(id, payload: [40])
            let second = try #require(try await store.read(id))
            #expect(second.payload == [40])
            #expect(abs(second.lastActivity.timeIntervalSince(clock.now)) < 0.001)
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    @Test("lastActivity keeps sub-second precision")
    func subSecondPrecision() async throws {
        try await withFileTestFolder { root async throws in
            let clock = FileTestClock(Date(timeIntervalSince1970: 1_700_000_000.25))
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: clock.sessionClock)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1])
            let stored = try #require(try await store.read(id))
            #expect(abs(stored.lastActivity.timeIntervalSince(clock.now)) < 0.000_01)
            clock.advance(seconds: 120)
            #expect(try await store.read(id) != nil)
            clock.advance(seconds: 0.01)
            #expect(try await store.read(id) == nil)
        }
    }

    @Test("a session is readable at exactly its lifetime and gone one second later")
    func expiryBoundary() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [7])
            clock.advance(seconds: 120)
            #expect(try await store.read(id)?.payload == [7])
            clock.advance(seconds: 1)
            #expect(try await store.read(id) == nil)
        }
    }

    @Test("read of a missing session, or of a missing folder, is nil")
    func readMissing() async throws {
        try await withFileTestFolder { root async throws in
            #expect(try await driver(root).read(SessionIdentifier.random()) == nil)
            #expect(try await driver(root + "/nope").read(SessionIdentifier.random()) == nil)
        }
    }

    @Test("payloads are opaque: foreign bytes and an empty payload come back as written")
    func opaquePayload() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let foreign: [UInt8] = [0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0A, 0x00] + (0...255).map { UInt8($0) }
            try await store.write(id, payload: foreign)
            #expect(try await store.read(id)?.payload == foreign)

            let empty = SessionIdentifier.random()
            try await store.write(empty, payload: [])
            #expect(try await store.read(empty)?.payload == [])

            // A file written by something else is returned as it is.
            let other = SessionIdentifier.random()
            fileTestCreateFile(root + "/" + other.description, "a:1:{s:3:\"php\";}", modified: clock.now)
            #expect(try await store.read(other)?.payload == Array("a:1:{s:3:\"php\";}".utf8))
        }
    }

    @Test("write with fsync on stores and reads back")
    func fsyncWrite() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root + "/durable", fsync: true)
            try await store.open()
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1, 2])
            try await store.write(id, payload: [3, 4])
            #expect(try await store.read(id)?.payload == [3, 4])
            #expect(fileTestTemporaryFiles(root + "/durable").isEmpty)
        }
    }

    // MARK: - Destroy

    @Test("destroy of a missing session succeeds; destroy then read is nil")
    func destroy() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            try await store.destroy(SessionIdentifier.random())
            try await driver(root + "/missing").destroy(SessionIdentifier.random())

            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1])
            try await store.destroy(id)
            #expect(try await store.read(id) == nil)
            #expect(!FileManager.default.fileExists(atPath: root + "/" + id.description))
            try await store.destroy(id)
        }
    }

    // MARK: - Touch

    @Test("touch renews the expiry without rewriting the payload")
    func touchRenews() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [5, 6])
            clock.advance(seconds: 100)
            let touchedAt = clock.now
            #expect(try await store.touch(id))
            clock.advance(seconds: 119)
            let stored = try #require(try await store.read(id))
            #expect(stored.payload == [5, 6])
            #expect(abs(stored.lastActivity.timeIntervalSince(touchedAt)) < 0.001)
            clock.advance(seconds: 1)
            #expect(try await store.read(id) != nil)
            clock.advance(seconds: 1)
            #expect(try await store.read(id) == nil)
        }
    }

    @Test("touch of a missing session returns false and creates nothing")
    func touchMissing() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            #expect(try await store.touch(id) == false)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
            #expect(try await driver(root + "/missing").touch(id) == false)
            #expect(!FileManager.default.fileExists(atPath: root + "/missing"))
        }
    }

    @Test("touch of an expired session returns false and leaves it expired")
    func touchExpired() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1])
            clock.advance(seconds: 121)
            #expect(try await store.touch(id) == false)
            #expect(try await store.read(id) == nil)
        }
    }

    // MARK: - Garbage collection

    @Test("gc removes expired session files only and returns how many")
    func gcRemovesExpired() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let old1 = SessionIdentifier.random()
            let old2 = SessionIdentifier.random()
            let fresh = SessionIdentifier.random()
            try await store.write(old1, payload: [1])
            try await store.write(old2, payload: [2])
            clock.advance(seconds: 100)
            try await store.write(fresh, payload: [3])
            clock.advance(seconds: 50)

            #expect(try await store.gc() == 2)
            #expect(!FileManager.default.fileExists(atPath: root + "/" + old1.description))
            #expect(!FileManager.default.fileExists(atPath: root + "/" + old2.description))
            #expect(try await store.read(fresh)?.payload == [3])
            #expect(try await store.gc() == 0)
        }
    }

    @Test("gc never deletes foreign files, folders or symbolic links, however old")
    func gcLeavesForeignFiles() async throws {
        try await withFileTestFolder { root async throws in
            let folder = root + "/sessions"
            let store = driver(folder)
            try await store.open()
            let validName = SessionIdentifier.random().description
            let foreign = [
                "notes.txt",
                ".gitignore",
                String(validName.dropLast()),  // 31 characters
                validName + "A",  // 33 characters
                String(validName.dropLast()) + "!",  // 32 characters, not base64url
                ".tmp-notanid-abc",
                ".tmp-" + SessionIdentifier.random().description + "-xyz",  // not hex
                ".tmp-" + SessionIdentifier.random().description + "-",  // no suffix
            ]
            for name in foreign { fileTestCreateFile(folder + "/" + name, modified: fileTestAncient) }

            let subfolder = folder + "/" + SessionIdentifier.random().description
            try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: false)
            fileTestSetTime(subfolder, fileTestAncient)

            let target = root + "/outside.txt"
            fileTestCreateFile(target, modified: fileTestAncient)
            let link = folder + "/" + SessionIdentifier.random().description
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            fileTestSetTime(link, fileTestAncient)

            clock.advance(seconds: 1_000_000)
            #expect(try await store.gc() == 0)
            for name in foreign {
                #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name) was removed")
            }
            #expect(FileManager.default.fileExists(atPath: subfolder))
            #expect(FileManager.default.fileExists(atPath: target))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
        }
    }

    @Test("gc removes temporary files older than the grace period, uncounted, and keeps fresh ones")
    func gcRemovesStaleTemporaryFiles() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            #expect(store.tempGracePeriod == .seconds(600))
            let stale = ".tmp-" + SessionIdentifier.random().description + "-0123abcdef456789"
            let fresh = ".tmp-" + SessionIdentifier.random().description + "-fedcba9876543210"
            fileTestCreateFile(root + "/" + stale, modified: clock.now.addingTimeInterval(-601))
            fileTestCreateFile(root + "/" + fresh, modified: clock.now.addingTimeInterval(-60))
            let expired = SessionIdentifier.random()
            fileTestCreateFile(root + "/" + expired.description, modified: clock.now.addingTimeInterval(-121))

            #expect(try await store.gc() == 1)
            #expect(!FileManager.default.fileExists(atPath: root + "/" + stale))
            #expect(FileManager.default.fileExists(atPath: root + "/" + fresh))
            #expect(!FileManager.default.fileExists(atPath: root + "/" + expired.description))

            var shortGrace = store
            shortGrace.tempGracePeriod = .seconds(30)
            #expect(try await shortGrace.gc() == 0)
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fresh))
        }
    }

    @Test("gc of a missing folder returns 0 and creates nothing")
    func gcMissingFolder() async throws {
        try await withFileTestFolder { root async throws in
            #expect(try await driver(root + "/missing").gc() == 0)
            #expect(!FileManager.default.fileExists(atPath: root + "/missing"))
        }
    }

    @Test("file names: session IDs and temporary files are recognised, nothing else")
    func fileNames() {
        let id = SessionIdentifier.random().description
        #expect(FileSessionDriver.isSessionFileName(id))
        #expect(!FileSessionDriver.isSessionFileName(String(id.dropLast())))
        #expect(!FileSessionDriver.isSessionFileName(".gitignore"))
        #expect(FileSessionDriver.isTemporaryFileName(".tmp-\(id)-0a1B"))
        #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(id)-"))
        #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(id)-g1"))
        #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(id.dropLast())-ab"))
        #expect(!FileSessionDriver.isTemporaryFileName("tmp-\(id)-ab"))
        #expect(!FileSessionDriver.isTemporaryFileName(id))
    }

    // MARK: - Failures

    @Test("a failed write throws an error without the ID and keeps the previous payload")
    func writeFailureKeepsPrevious() async throws {
        try await withFileTestFolder { root async throws in
            let id = SessionIdentifier.random()
            if geteuid() == 0 {
                // Permission checks do not apply to root: make the folder's parent a regular file.
                fileTestCreateFile(root + "/plain")
                let store = driver(root + "/plain/sessions")
                let error = await #expect(throws: FileSessionDriverError.self) {
                    try await store.write(id, payload: [1])
                }
                let text = try #require(error).description
                #expect(!text.contains(id.description))
                #expect(text.contains(root + "/plain/sessions"))
                #expect(text.contains(String(cString: strerror(ENOTDIR))))
                await #expect(throws: FileSessionDriverError.self) { try await store.open() }
            } else {
                let folder = root + "/sessions"
                let store = driver(folder)
                try await store.write(id, payload: [1, 2, 3])
                #expect(chmod(folder, 0o500) == 0)
                let error = await #expect(throws: FileSessionDriverError.self) {
                    try await store.write(id, payload: [9, 9, 9])
                }
                let text = try #require(error).description
                #expect(!text.contains(id.description))
                #expect(text.contains(String(cString: strerror(EACCES))))
                #expect(chmod(folder, 0o700) == 0)
                #expect(try await store.read(id)?.payload == [1, 2, 3])
                #expect(fileTestTemporaryFiles(folder).isEmpty)
            }
        }
    }

    @Test("a write that fails after creating its temporary file removes it")
    func failedRenameLeavesNoTemporaryFile() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            // A folder where the session file should be makes the final rename fail.
            let blocker = root + "/" + id.description
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
            fileTestCreateFile(blocker + "/inside")

            let error = await #expect(throws: FileSessionDriverError.self) {
                try await store.write(id, payload: Array(repeating: 0x41, count: 1000))
            }
            let text = try #require(error).description
            #expect(!text.contains(id.description))
            #expect(text.contains("rename"))
            #expect(fileTestTemporaryFiles(root).isEmpty)
            #expect(FileManager.default.fileExists(atPath: blocker + "/inside"))

            // Reading or touching a path that is not a regular file throws rather than misreads.
            await #expect(throws: FileSessionDriverError.self) { try await store.read(id) }
            await #expect(throws: FileSessionDriverError.self) { try await store.touch(id) }
        }
    }

    @Test("error descriptions name the operation, the folder and the system's message")
    func errorDescriptions() {
        let error = FileSessionDriverError.systemCall(operation: "write a temporary file", folder: "/srv/sessions", code: ENOSPC)
        #expect(error.description.contains("write a temporary file"))
        #expect(error.description.contains("/srv/sessions"))
        #expect(error.description.contains(String(cString: strerror(ENOSPC))))
        let tooLarge = FileSessionDriverError.fileTooLarge(folder: "/srv/sessions", size: 20, limit: 10)
        #expect(tooLarge.description.contains("20"))
        #expect(tooLarge.description.contains("10"))
    }

    @Test("a file larger than the cap makes read throw instead of loading it")
    func oversizedFile() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + id.description
            fileTestCreateFile(path, "")
            // A sparse file one byte over the default 16 MiB cap.
            #expect(truncate(path, off_t(store.maxFileBytes + 1)) == 0)
            fileTestSetTime(path, clock.now)
            let error = await #expect(throws: FileSessionDriverError.self) { try await store.read(id) }
            #expect(error == .fileTooLarge(folder: root, size: store.maxFileBytes + 1, limit: store.maxFileBytes))

            var small = store
            small.maxFileBytes = 10
            await #expect(throws: FileSessionDriverError.self) {
                try await small.write(id, payload: Array(repeating: 1, count: 11))
            }
            try await small.write(id, payload: Array(repeating: 1, count: 10))
            #expect(try await small.read(id)?.payload.count == 10)
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    // MARK: - Atomicity

    @Test("concurrent rewrites and reads never expose a partial payload")
    func atomicRewrites() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let first = [UInt8](repeating: 0xAA, count: 64 * 1024)
            let second = [UInt8](repeating: 0xBB, count: 64 * 1024)
            try await store.write(id, payload: first)

            async let writes: Void = {
                for index in 0..<300 {
                    try await store.write(id, payload: index.isMultiple(of: 2) ? second : first)
                }
            }()
            async let reads: Int = {
                var bad = 0
                for _ in 0..<300 {
                    let payload = try await store.read(id)?.payload
                    if payload != first && payload != second { bad += 1 }
                }
                return bad
            }()
            try await writes
            #expect(try await reads == 0)
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }
}
