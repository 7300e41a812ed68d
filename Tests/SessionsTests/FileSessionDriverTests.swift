#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SessionsConformance
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
/// The name the files of `id` carry in the folder: its handle.
func fileTestName(_ id: SessionIdentifier) -> String {
    SessionFileName(id).description
}

/// The permission bits of `path` (not following a symbolic link), or nil when it is missing.
func fileTestMode(_ path: String) -> mode_t? {
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

/// The bytes of the file at `path`.
private func fileTestBytes(_ path: String) throws -> [UInt8] {
    try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
}

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
            let name = fileTestName(id)
            #expect(fileTestMode(folder + "/" + name) == 0o600)
            #expect(fileTestMode(folder + "/.lock-" + name) == 0o600)
            // The session file and its record lock file, named by the handle: no file name holds the ID.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [".lock-" + name, name].sorted())

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
        config[FileSessionDriver.folderSetting] = "storage/sessions-test/"
        config[FileSessionDriver.fsyncSetting] = true
        let context = SessionDriverContext(name: "file", config: config, lifetime: .seconds(42), clock: clock.sessionClock)
        let store = FileSessionDriver(context: context)
        let cwd = FileManager.default.currentDirectoryPath
        #expect(store.folder == (cwd.hasSuffix("/") ? cwd : cwd + "/") + "storage/sessions-test")
        #expect(store.fsync)
        #expect(store.lifetime == .seconds(42))
        #expect(store.clock.now == clock.now)

        config[FileSessionDriver.folderSetting] = "/var/lib/app/sessions"
        config[FileSessionDriver.fsyncSetting] = false
        let absolute = FileSessionDriver(context: SessionDriverContext(name: "file", config: config))
        #expect(absolute.folder == "/var/lib/app/sessions")
        #expect(!absolute.fsync)
        #expect(absolute.lifetime == .seconds(120 * 60))
    }

    // MARK: - Read and write

    @Test("write then read returns the payload and the deadline; a second write overwrites")
    func writeThenRead() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            try await store.open()
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [10, 20, 30])
            let first = try #require(try await store.read(id))
            #expect(first.payload == [10, 20, 30])
            #expect(abs(first.metadata.expiresAt.timeIntervalSince(store.freshMetadata.expiresAt)) < 0.001)

            clock.advance(seconds: 30)
            try await store.write(id, payload: [40])
            let second = try #require(try await store.read(id))
            #expect(second.payload == [40])
            #expect(abs(second.metadata.expiresAt.timeIntervalSince(store.freshMetadata.expiresAt)) < 0.001)
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    @Test("deadlines keep sub-second precision")
    func subSecondPrecision() async throws {
        try await withFileTestFolder { root async throws in
            let clock = FileTestClock(Date(timeIntervalSince1970: 1_700_000_000.25))
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: clock.sessionClock)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1])
            let stored = try #require(try await store.read(id))
            #expect(abs(stored.metadata.expiresAt.timeIntervalSince(clock.now.addingTimeInterval(120))) < 0.000_01)
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
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fileTestName(id)))
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
            let deadline = store.freshMetadata.expiresAt
            #expect(try await store.touch(id))
            clock.advance(seconds: 119)
            let stored = try #require(try await store.read(id))
            #expect(stored.payload == [5, 6])
            #expect(abs(stored.metadata.expiresAt.timeIntervalSince(deadline)) < 0.001)
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
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fileTestName(old1)))
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fileTestName(old2)))
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
            let validName = fileTestName(SessionIdentifier.random())
            let foreign = [
                "notes.txt",
                ".gitignore",
                String(validName.dropLast()),  // 63 characters
                validName + "A",  // 65 characters
                String(validName.dropLast()) + "!",  // 64 characters, not hex
                ".tmp-notanid-abc",
                fileTestName(SessionIdentifier.random()).uppercased(),  // not lower-case hex
                ".tmp-" + fileTestName(SessionIdentifier.random()) + "-xyz",  // not hex
                ".tmp-" + fileTestName(SessionIdentifier.random()) + "-",  // no suffix
                ".lock-notanid",
                ".lock-" + validName + "x",
                ".lock" + validName,
                ".block-" + String(validName.dropLast()),
                "lock-" + validName,
            ]
            for name in foreign { fileTestCreateFile(folder + "/" + name, modified: fileTestAncient) }

            let subfolder = folder + "/" + fileTestName(SessionIdentifier.random())
            try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: false)
            fileTestSetTime(subfolder, fileTestAncient)
            // Folders named like lock files are not lock files.
            let lockFolder = folder + "/.lock-" + fileTestName(SessionIdentifier.random())
            let blockFolder = folder + "/.block-" + fileTestName(SessionIdentifier.random())
            try FileManager.default.createDirectory(atPath: lockFolder, withIntermediateDirectories: false)
            try FileManager.default.createDirectory(atPath: blockFolder, withIntermediateDirectories: false)

            let target = root + "/outside.txt"
            fileTestCreateFile(target, modified: fileTestAncient)
            let link = folder + "/" + fileTestName(SessionIdentifier.random())
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            fileTestSetTime(link, fileTestAncient)
            let lockLink = folder + "/.lock-" + fileTestName(SessionIdentifier.random())
            let blockLink = folder + "/.block-" + fileTestName(SessionIdentifier.random())
            try FileManager.default.createSymbolicLink(atPath: lockLink, withDestinationPath: target)
            try FileManager.default.createSymbolicLink(atPath: blockLink, withDestinationPath: target)

            clock.advance(seconds: 1_000_000)
            #expect(try await store.gc() == 0)
            for name in foreign {
                #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name) was removed")
            }
            #expect(FileManager.default.fileExists(atPath: subfolder))
            #expect(FileManager.default.fileExists(atPath: lockFolder))
            #expect(FileManager.default.fileExists(atPath: blockFolder))
            #expect(FileManager.default.fileExists(atPath: target))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: lockLink)) == target)
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: blockLink)) == target)
        }
    }

    @Test("gc removes temporary files older than the grace period, uncounted, and keeps fresh ones")
    func gcRemovesStaleTemporaryFiles() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            #expect(store.tempGracePeriod == .seconds(600))
            let stale = ".tmp-" + fileTestName(SessionIdentifier.random()) + "-0123abcdef456789"
            let fresh = ".tmp-" + fileTestName(SessionIdentifier.random()) + "-fedcba9876543210"
            fileTestCreateFile(root + "/" + stale, modified: clock.now.addingTimeInterval(-601))
            fileTestCreateFile(root + "/" + fresh, modified: clock.now.addingTimeInterval(-60))
            let expired = SessionIdentifier.random()
            try await store.write(expired, payload: [1], metadata: .lasting(.seconds(120), from: clock.now.addingTimeInterval(-241)))

            #expect(try await store.gc() == 1)
            #expect(!FileManager.default.fileExists(atPath: root + "/" + stale))
            #expect(FileManager.default.fileExists(atPath: root + "/" + fresh))
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fileTestName(expired)))

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

    @Test("file names: handles and temporary files are recognised, nothing else")
    func fileNames() {
        let raw = SessionIdentifier.random().rawValue
        let name = fileTestName(SessionIdentifier.random())
        #expect(SessionFileName(name)?.description == name)
        #expect(SessionFileName(String(name.dropLast())) == nil)
        #expect(SessionFileName(name.uppercased()) == nil)
        #expect(SessionFileName(raw) == nil, "a raw ID is no file name of the current layout")
        #expect(SessionFileName(".gitignore") == nil)
        for middle in [name, raw] {
            #expect(FileSessionDriver.isTemporaryFileName(".tmp-\(middle)-0a1B"))
            #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(middle)-"))
            #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(middle)-g1"))
            #expect(!FileSessionDriver.isTemporaryFileName(".tmp-\(middle.dropLast())-ab"))
            #expect(!FileSessionDriver.isTemporaryFileName("tmp-\(middle)-ab"))
            #expect(!FileSessionDriver.isTemporaryFileName(middle))
        }
        #expect(!FileSessionDriver.isTemporaryFileName(".tmp-"))
        #expect(!FileSessionDriver.isTemporaryFileName(".tmp--ab"))
        #expect(FileSessionDriver.fileName(in: ".lock-\(name)", after: ".lock-")?.description == name)
        #expect(FileSessionDriver.fileName(in: ".block-\(name)", after: ".block-")?.description == name)
        #expect(FileSessionDriver.fileName(in: ".lock-\(name)", after: ".block-") == nil)
        #expect(FileSessionDriver.fileName(in: ".lock-\(name)x", after: ".lock-") == nil)
        #expect(FileSessionDriver.fileName(in: ".lock-\(raw)", after: ".lock-") == nil)
        #expect(FileSessionDriver.fileName(in: ".lock-\(name.dropLast())é", after: ".lock-") == nil)
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
                #expect(!text.contains(id.rawValue))
                #expect(text.contains(root + "/plain/sessions"))
                #expect(text.contains(String(cString: strerror(ENOTDIR))))
                await #expect(throws: FileSessionDriverError.self) { try await store.open() }
            } else {
                let folder = root + "/sessions"
                let store = driver(folder)
                try await store.write(id, payload: [1, 2, 3])
                // Neither an in-place write (the file) nor a new file (the folder) is allowed.
                #expect(chmod(folder + "/" + fileTestName(id), 0o400) == 0)
                #expect(chmod(folder, 0o500) == 0)
                let error = await #expect(throws: FileSessionDriverError.self) {
                    try await store.write(id, payload: [9, 9, 9])
                }
                let text = try #require(error).description
                #expect(!text.contains(id.rawValue))
                #expect(text.contains(String(cString: strerror(EACCES))))
                #expect(chmod(folder, 0o700) == 0)
                #expect(chmod(folder + "/" + fileTestName(id), 0o600) == 0)
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
            let blocker = root + "/" + fileTestName(id)
            try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
            fileTestCreateFile(blocker + "/inside")

            let error = await #expect(throws: FileSessionDriverError.self) {
                try await store.write(id, payload: Array(repeating: 0x41, count: 1000))
            }
            let text = try #require(error).description
            #expect(!text.contains(id.rawValue))
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

    @Test("a file with slots over the cap reads as no session unloaded; a payload over the limit throws")
    func oversizedFile() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            try await store.write(id, payload: [])
            // A sparse file of two slots, each twice the largest the default 16 MiB cap lays out.
            #expect(store.maximumSlotSize == 64 * 1024 * 1024)
            #expect(truncate(path, off_t(4 * store.maximumSlotSize)) == 0)
            fileTestSetTime(path, clock.now)
            #expect(try await store.read(id) == nil)
            #expect(try await store.touch(id) == false)

            // Written under a larger limit, read under a smaller one.
            try await store.write(id, payload: Array(repeating: 1, count: 200))
            var small = store
            small.maxFileBytes = 100
            await #expect(throws: FileSessionDriverError.fileTooLarge(folder: root, size: 200, limit: 100)) {
                try await small.read(id)
            }
            try await store.write(id, payload: Array(repeating: 1, count: 600))  // slots of 2 KiB, over the cap of 512
            #expect(try await small.read(id) == nil)

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

// MARK: - Versions, conditional writes and locks

/// Takes an open-file-description lock on `path` through a new descriptor, as another process's
/// record lock would look to the driver (unlike a POSIX lock of this process, it conflicts with
/// the driver's own), and returns the descriptor; closing it releases the lock.
#if os(Linux)
private func fileTestHoldForeignLock(_ path: String) -> Int32 {
    let fd = open(path, O_RDWR | O_CLOEXEC)
    #expect(fd >= 0, "open failed for \(path)")
    var request = flock()
    request.l_type = Int16(F_WRLCK)
    request.l_whence = Int16(SEEK_SET)
    let openFileDescriptionSetLock: Int32 = 37  // F_OFD_SETLK
    #expect(fcntl(fd, openFileDescriptionSetLock, &request) == 0, "F_OFD_SETLK failed: errno \(errno)")
    return fd
}
#endif

/// The inode of `path`, or nil when it does not exist.
private func fileTestInode(_ path: String) -> ino_t? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return info.st_ino
}

/// The entries of `folder`, sorted.
private func fileTestListing(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

@Suite("FileSessionDriver versions and locks")
struct FileSessionDriverAtomicTests {
    private let time = ManualClock()
    let lifetime = Duration.seconds(120)

    private func driver(_ folder: String) -> FileSessionDriver {
        FileSessionDriver(folder: folder, lifetime: lifetime, clock: time.clock)
    }

    @Test("the file is SSF3: two 512-byte slots, the record in slot 0, slot 1 zeros, the deadline in the modification time")
    func fileFormat() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let metadata = SessionMetadata(
                expiresAt: time.now.addingTimeInterval(45), createdAt: Date(timeIntervalSince1970: 1_000.5), userKey: "ada")
            let result = try await store.write(id, payload: [7, 8, 9], metadata: metadata, ifVersion: nil)
            guard case .written(let version) = result else {
                Issue.record("create returned \(result)")
                return
            }
            #expect(version != 0)
            let bytes = try fileTestBytes(root + "/" + fileTestName(id))
            #expect(bytes.count == 1024)
            let littleEndian = { (value: UInt64, count: Int) in (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) } }
            let header = Array("SSF3".utf8) + littleEndian(1, 8) + littleEndian(version, 8) + littleEndian(1_000_500_000, 8)
                + littleEndian(3, 2) + littleEndian(3, 4)
            let body = Array("ada".utf8) + [7, 8, 9]
            let checksum = CRC32C.checksum(header + body)
            #expect(Array(bytes[0..<44]) == header + littleEndian(UInt64(checksum), 4) + body)
            #expect(bytes[44...].allSatisfy { $0 == 0 })
            #expect(try await store.read(id) == StoredSession(payload: [7, 8, 9], metadata: metadata, version: version))
            #expect(try fileTestModificationTime(root + "/" + fileTestName(id)) == metadata.expiresAt.timeIntervalSince1970)
        }
    }

    @Test("CRC-32C matches its published check value")
    func crc32c() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        // Every length around the eight-byte steps agrees with a byte at a time.
        let bytes = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in 0...bytes.count {
            let slow = bytes[0..<count].reduce(UInt32.max) { crc, byte in
                (0..<8).reduce(crc ^ UInt32(byte)) { value, _ in (value >> 1) ^ (value & 1 == 0 ? 0 : 0x82F6_3B78) }
            }
            #expect(CRC32C.checksum(bytes[0..<count]) == ~slow, "length \(count)")
            #expect(CRC32C.update(CRC32C.checksum(bytes[0..<(count / 2)]), with: bytes[(count / 2)..<count]) == ~slow)
        }
    }

    @Test("conditional writes: create once, compare versions, never revive, touch keeps the version")
    func conditionalWrites() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root + "/sessions")
            let id = SessionIdentifier.random()

            // A conditional write expecting a version in a missing folder: missing, nothing created.
            #expect(try await store.write(id, payload: [0], ifVersion: 42) == .missing)
            #expect(!FileManager.default.fileExists(atPath: root + "/sessions"))

            guard case .written(let v1) = try await store.write(id, payload: [1], ifVersion: nil) else {
                Issue.record("the first create did not write")
                return
            }
            #expect(try await store.read(id)?.version == v1)
            #expect(try await store.write(id, payload: [2], ifVersion: nil) == .conflict)
            #expect(try await store.read(id)?.payload == [1])

            guard case .written(let v2) = try await store.write(id, payload: [3], ifVersion: v1) else {
                Issue.record("a write with the current version did not write")
                return
            }
            #expect(v2 != v1)
            #expect(try await store.write(id, payload: [4], ifVersion: v1) == .conflict)
            #expect(try await store.read(id)?.payload == [3])

            // Touch keeps the version; an unconditional write draws a new one.
            time.advance(by: .seconds(10))
            #expect(try await store.touch(id))
            #expect(try await store.read(id)?.version == v2)
            try await store.write(id, payload: [5])
            let v3 = try #require(try await store.read(id)).version
            #expect(v3 != v2 && v3 != 0)
            #expect(try await store.write(id, payload: [6], ifVersion: v2) == .conflict)

            // After destroy: missing, and the session does not come back; destroy removed the lock file.
            try await store.destroy(id)
            #expect(fileTestListing(root + "/sessions").isEmpty)
            #expect(try await store.write(id, payload: [7], ifVersion: v3) == .missing)
            #expect(try await store.read(id) == nil)
            #expect(fileTestListing(root + "/sessions").isEmpty)

            // After expiry: missing for a version, and a create succeeds over the expired file.
            guard case .written(let v4) = try await store.write(id, payload: [8], ifVersion: nil) else {
                Issue.record("a create after destroy did not write")
                return
            }
            time.advance(by: lifetime + .seconds(1))
            #expect(try await store.write(id, payload: [9], ifVersion: v4) == .missing)
            #expect(try await store.read(id) == nil)
            guard case .written = try await store.write(id, payload: [10], ifVersion: nil) else {
                Issue.record("a create over an expired session did not write")
                return
            }
            #expect(try await store.read(id)?.payload == [10])
        }
    }

    @Test("every write draws a different version")
    func versionsDiffer() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            var seen = Set<UInt64>()
            for index in 0..<50 {
                try await store.write(id, payload: [UInt8(index)])
                let version = try #require(try await store.read(id)).version
                #expect(version != 0)
                seen.insert(version)
            }
            #expect(seen.count == 50)
        }
    }

    @Test("a foreign, old-format or truncated file under an ID reads as no session")
    func headerlessFiles() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let record = SessionFileRecord(sequence: 1, version: 5, payload: [1, 2, 3])
            let whole = SessionFileLayout(forPayloadCount: 3).file(holding: record)
            let cases: [[UInt8]] = [
                Array("a:1:{s:3:\"php\";}".utf8),  // another framework's session
                [],  // empty
                Array("SSF1".utf8) + [UInt8](repeating: 1, count: 8) + [9],  // the previous format
                Array("SSF2".utf8) + [1, 2, 3],  // cut inside the header
                Array(whole[0..<1000]),  // cut: slots of 500 bytes are no layout
                Array(whole[0..<(whole.count - 1)]),  // cut by a byte: odd
                record.encoded,  // one record without its slots
                [UInt8](repeating: 0, count: 1024),  // a layout, but no record
                [UInt8](repeating: 0x53, count: 2048),  // a layout of foreign bytes
            ]
            for bytes in cases {
                let id = SessionIdentifier.random()
                let path = root + "/" + fileTestName(id)
                #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
                fileTestSetTime(path, time.now)
                #expect(try await store.read(id) == nil)
                #expect(try await store.touch(id) == false)
                // Not a live session: a create replaces it, a versioned write does not.
                #expect(try await store.write(id, payload: [1], ifVersion: 5) == .missing)
                guard case .written(let version) = try await store.write(id, payload: [1], ifVersion: nil) else {
                    Issue.record("a create over a foreign file did not write")
                    continue
                }
                #expect(try await store.read(id)?.version == version)
                #expect(try fileTestBytes(path).count == 1024)
            }

            // A foreign file whose name parses as an ID is not the driver's to delete, however old.
            let old = SessionIdentifier.random()
            fileTestCreateFile(root + "/" + fileTestName(old), "foreign", modified: time.now.addingTimeInterval(-86_400))
            let layoutOfZeros = SessionIdentifier.random()
            #expect(FileManager.default.createFile(atPath: root + "/" + fileTestName(layoutOfZeros), contents: Data(count: 1024)))
            fileTestSetTime(root + "/" + fileTestName(layoutOfZeros), time.now.addingTimeInterval(-86_400))
            #expect(try await store.gc() == 0)
            #expect(FileManager.default.fileExists(atPath: root + "/" + fileTestName(old)), "gc deleted a file that is no session")
            #expect(FileManager.default.fileExists(atPath: root + "/" + fileTestName(layoutOfZeros)), "gc deleted a file without a record")
        }
    }

    @Test("a payload over maxFileBytes is refused by every write; the header does not count")
    func payloadLimit() async throws {
        try await withFileTestFolder { root async throws in
            var store = driver(root)
            store.maxFileBytes = 4
            let id = SessionIdentifier.random()
            await #expect(throws: FileSessionDriverError.fileTooLarge(folder: root, size: 5, limit: 4)) {
                try await store.write(id, payload: [1, 2, 3, 4, 5], ifVersion: nil)
            }
            guard case .written = try await store.write(id, payload: [1, 2, 3, 4], ifVersion: nil) else {
                Issue.record("a payload at the limit was refused")
                return
            }
            #expect(try await store.read(id)?.payload == [1, 2, 3, 4])
        }
    }

    @Test("50 concurrent read-increment-CAS loops, over two driver values, lose no increment")
    func concurrentIncrements() async throws {
        try await withFileTestFolder { root async throws in
            let id = SessionIdentifier.random()
            let tasks = 50
            let rounds = 10
            // Two driver values on one folder: the in-process exclusion must be shared by both.
            let stores = [driver(root), driver(root)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    let store = stores[task % 2]
                    group.addTask {
                        for _ in 0..<rounds {
                            while true {
                                let stored = try await store.read(id)
                                let count = stored.flatMap { Int(String(decoding: $0.payload, as: UTF8.self)) } ?? 0
                                let result = try await store.write(id, payload: Array(String(count + 1).utf8), ifVersion: stored?.version)
                                if case .written = result { break }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await driver(root).read(id).map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(final == String(tasks * rounds))
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    @Test("gc removes lock files nobody holds whose session is gone, and keeps the others")
    func gcRemovesOrphanLockFiles() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let live = SessionIdentifier.random()
            let orphan = SessionIdentifier.random()
            let expired = SessionIdentifier.random()
            try await store.write(expired, payload: [1])
            time.advance(by: .seconds(100))
            try await store.write(live, payload: [2])
            try await store.write(orphan, payload: [3])
            // A crash between a session's removal and its lock file's leaves an orphan lock file.
            #expect(unlink(root + "/" + fileTestName(orphan)) == 0)
            // Also a lock file left by a crashed session lock holder.
            let staleBlock = SessionIdentifier.random()
            fileTestCreateFile(root + "/.block-" + fileTestName(staleBlock), "")
            time.advance(by: .seconds(30))

            #expect(try await store.gc() == 1)
            #expect(fileTestListing(root) == [".lock-" + fileTestName(live), fileTestName(live)].sorted())
            #expect(try await store.read(live)?.payload == [2])
        }
    }

    #if os(Linux)
    @Test("gc leaves a lock file another descriptor holds, and the expired session it guards")
    func gcSkipsHeldLockFiles() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let guarded = SessionIdentifier.random()
            let orphan = SessionIdentifier.random()
            try await store.write(guarded, payload: [1])
            try await store.write(orphan, payload: [2])
            #expect(unlink(root + "/" + fileTestName(orphan)) == 0)
            let block = SessionIdentifier.random()
            fileTestCreateFile(root + "/.block-" + fileTestName(block), "")
            time.advance(by: lifetime + .seconds(1))

            let held = [".lock-" + fileTestName(guarded), ".lock-" + fileTestName(orphan), ".block-" + fileTestName(block)]
                .map { fileTestHoldForeignLock(root + "/" + $0) }
            let before = fileTestListing(root)
            #expect(try await store.gc() == 0)
            #expect(fileTestListing(root) == before)
            // The held locks survive gc's attempts (closing gc's descriptors dropped nothing).
            #expect(try await store.gc() == 0)
            #expect(fileTestListing(root) == before)

            for fd in held { #expect(close(fd) == 0) }
            #expect(try await store.gc() == 1)
            #expect(fileTestListing(root).isEmpty)
        }
    }

    @Test("a writer waits for a held lock file, and moves to a new one when the holder removes it")
    func writerWaitsAndFollowsRemovedLockFile() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1])
            let sessionPath = root + "/" + fileTestName(id)
            let lockPath = root + "/.lock-" + fileTestName(id)
            let inode = try #require(fileTestInode(lockPath))
            let holder = fileTestHoldForeignLock(lockPath)

            // The holder lets go from its own thread, as another process would: the write below
            // blocks its thread, and the cooperative pool may have no other thread free. It waits
            // until the kernel lists the writer as blocked on this very file.
            let observed = Locked<(waiterSeen: Bool, payload: [UInt8]?)>((false, nil))
            let releaser = Thread {
                var waiterSeen = false
                for _ in 0..<1_000 where !waiterSeen {
                    let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
                    waiterSeen = locks.split(separator: "\n").contains { $0.contains("->") && $0.contains(":\(inode) ") }
                    if !waiterSeen { usleep(5_000) }
                }
                let payload = fileTestStoredPayload(sessionPath)
                observed.withLock { $0 = (waiterSeen, payload) }
                // Removed while held, as gc does, then released: the writer now holds a stale file.
                _ = unlink(lockPath)
                _ = close(holder)
            }
            releaser.start()
            try await store.write(id, payload: [2])

            let (waiterSeen, payloadWhileHeld) = observed.withLock { $0 }
            #expect(waiterSeen, "the writer was never seen waiting on the lock file")
            #expect(payloadWhileHeld == [1], "the write did not wait for the lock")
            #expect(try await store.read(id)?.payload == [2])
            // Only a writer that noticed the removal and locked a new file recreates the path
            // (its inode number may be the old one's, reused).
            #expect(FileManager.default.fileExists(atPath: lockPath))
        }
    }
    #endif

    // MARK: Session locks

    @Test("a second lock waits until the first is released; releasing twice is harmless")
    func lockWaitsForRelease() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root + "/made-by-lock")
            let id = SessionIdentifier.random()
            let first = try await store.lock(id, lease: .seconds(30), wait: .seconds(1))
            #expect(FileManager.default.fileExists(atPath: root + "/made-by-lock/.block-" + fileTestName(id)))

            // Another ID is not blocked.
            let other = try await store.lock(.random(), lease: .seconds(30), wait: .milliseconds(50))
            await other.release()

            let clock = ContinuousClock()
            let second = Task { () throws -> ContinuousClock.Instant in
                let lock = try await store.lock(id, lease: .seconds(30), wait: .seconds(5))
                let acquired = clock.now
                await lock.release()
                await lock.release()
                return acquired
            }
            try await Task.sleep(for: .milliseconds(200))
            let released = clock.now
            await first.release()
            let acquired = try await second.value
            #expect(acquired >= released, "the second lock was granted \(released - acquired) before the release")
            await first.release()
            #expect(fileTestListing(root + "/made-by-lock").isEmpty)
        }
    }

    @Test("a lock not acquired within wait throws lockTimeout")
    func lockTimesOut() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let held = try await store.lock(id, lease: .seconds(30), wait: .zero)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(80))) {
                _ = try await store.lock(id, lease: .seconds(30), wait: .milliseconds(80))
            }
            #expect(clock.now - start >= .milliseconds(80))
            // A second driver value on the same folder is excluded as well.
            await #expect(throws: SessionError.lockTimeout(waited: .zero)) {
                _ = try await driver(root).lock(id, lease: .seconds(30), wait: .zero)
            }
            await held.release()
            let again = try await store.lock(id, lease: .seconds(30), wait: .zero)
            await again.release()
        }
    }

    @Test("a lock frees itself when its lease passes")
    func leaseExpiry() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await store.lock(id, lease: .milliseconds(150), wait: .seconds(1))
            let next = try await store.lock(id, lease: .seconds(30), wait: .seconds(30))  // generous: a loaded machine may run the lease late
            #expect(clock.now - start >= .milliseconds(150))
            await next.release()
            #expect(fileTestListing(root).isEmpty)
        }
    }

    @Test("gc keeps a held session lock's file, and the lock still excludes afterwards")
    func gcKeepsHeldBlockFile() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let held = try await store.lock(id, lease: .seconds(30), wait: .zero)
            time.advance(by: .seconds(100_000))
            #expect(try await store.gc() == 0)
            #expect(fileTestListing(root) == [".block-" + fileTestName(id)])
            await #expect(throws: SessionError.lockTimeout(waited: .milliseconds(20))) {
                _ = try await store.lock(id, lease: .seconds(30), wait: .milliseconds(20))
            }
            await held.release()
            #expect(fileTestListing(root).isEmpty)
        }
    }
}

// MARK: - Slots

/// Writes `bytes` into the file at `path` at `offset`, in place, keeping its modification time.
private func fileTestOverwrite(_ path: String, at offset: Int, with bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    #expect(fd >= 0, "open failed for \(path)")
    var info = stat()
    #expect(fstat(fd, &info) == 0)
    let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
    #expect(written == bytes.count)
    let modified = FileSessionDriver.modificationTime(info)
    #expect(futimens(fd, [modified, modified]) == 0)
    #expect(close(fd) == 0)
}

/// The payload of the session stored in the file at `path`, parsed by hand; nil when none.
private func fileTestStoredPayload(_ path: String) -> [UInt8]? {
    guard let bytes = try? fileTestBytes(path),
        let layout = SessionFileLayout(fileSize: bytes.count, maximumSlotSize: .max)
    else { return nil }
    return layout.winner(in: bytes)?.record.payload
}

/// A payload that proves it is whole, as the stress tool writes them: a 4-byte little-endian
/// length `n`, a fill byte, `n` copies of it, and a 4-byte little-endian FNV-1a checksum.
private func fileTestSelfCheckingPayload(length: Int, fill: UInt8) -> [UInt8] {
    let count = (0..<4).map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
    let body = count + [fill] + [UInt8](repeating: fill, count: length)
    let sum = body.reduce(2_166_136_261 as UInt32) { ($0 ^ UInt32($1)) &* 16_777_619 }
    return body + (0..<4).map { UInt8(truncatingIfNeeded: sum >> UInt32($0 * 8)) }
}

@Suite("FileSessionDriver slots")
struct FileSessionDriverSlotTests {
    private let time = ManualClock()
    let lifetime = Duration.seconds(120)

    private func driver(_ folder: String) -> FileSessionDriver {
        FileSessionDriver(folder: folder, lifetime: lifetime, clock: time.clock)
    }

    /// The sequence and payload of the whole record in each slot of the file at `path`.
    private func slots(_ path: String) throws -> [(sequence: UInt64, payload: [UInt8])?] {
        let bytes = try fileTestBytes(path)
        let layout = try #require(SessionFileLayout(fileSize: bytes.count, maximumSlotSize: .max))
        return (0..<2).map { index in
            SessionFileRecord(decoding: layout.slot(index, of: bytes)).map { ($0.sequence, $0.payload) }
        }
    }

    @Test("writes alternate slots in place with rising sequences, and a read takes the higher one")
    func writesAlternateSlots() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            try await store.write(id, payload: [1])
            let inode = fileTestInode(path)
            for round in 2...6 {
                let stored = try #require(try await store.read(id))
                let result = try await store.write(id, payload: [UInt8(round)], ifVersion: stored.version)
                #expect(result != .conflict && result != .missing)
                let slots = try slots(path)
                let (newer, older) = round.isMultiple(of: 2) ? (1, 0) : (0, 1)
                #expect(slots[newer]?.sequence == UInt64(round))
                #expect(slots[newer]?.payload == [UInt8(round)])
                #expect(slots[older]?.sequence == UInt64(round - 1))
                #expect(try await store.read(id)?.payload == [UInt8(round)])
            }
            #expect(fileTestInode(path) == inode, "an in-place write replaced the file")
            #expect(fileTestTemporaryFiles(root).isEmpty)

            // Whichever slot holds it, the higher sequence wins.
            let layout = SessionFileLayout(forPayloadCount: 1)
            for (first, second) in [(UInt64(7), UInt64(8)), (9, 8)] {
                fileTestOverwrite(path, at: 0, with: SessionFileRecord(sequence: first, version: first, payload: [0xA]).encoded)
                fileTestOverwrite(path, at: layout.slotSize, with: SessionFileRecord(sequence: second, version: second, payload: [0xB]).encoded)
                let stored = try #require(try await store.read(id))
                #expect(stored.version == max(first, second))
                #expect(stored.payload == (first > second ? [0xA] : [0xB]))
            }
        }
    }

    @Test("a torn slot is passed over: the other slot's whole payload reads, and the next write fills the torn one")
    func tornSlot() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            // The same size or larger each time: a smaller record would clear the slot it supersedes.
            let old = [UInt8](repeating: 0x0D, count: 300)
            let new = [UInt8](repeating: 0x1E, count: 310)
            let next = [UInt8](repeating: 0x42, count: 300)
            try await store.write(id, payload: old)  // slot 0
            try await store.write(id, payload: new)  // slot 1
            let layout = SessionFileLayout(forPayloadCount: old.count)
            let pristine = try fileTestBytes(path)

            // A write cut short in the loser: half of a newer record over the old one.
            let cut = SessionFileRecord(sequence: 3, version: 3, payload: [UInt8](repeating: 0x2F, count: 250)).encoded
            fileTestOverwrite(path, at: 0, with: Array(cut[0..<150]))
            #expect(try await store.read(id)?.payload == new)
            #expect(try await store.touch(id))

            // The newest slot torn (one payload byte flipped): the older whole record reads.
            #expect(FileManager.default.createFile(atPath: path, contents: Data(pristine)))
            fileTestSetTime(path, time.now)
            fileTestOverwrite(path, at: layout.slotSize + SessionFileRecord.headerSize + 100, with: [0xFF])
            let survivor = try #require(try await store.read(id))
            #expect(survivor.payload == old)

            // The next write goes into the torn slot, never over the survivor.
            guard case .written = try await store.write(id, payload: next, ifVersion: survivor.version) else {
                Issue.record("a write over a torn slot did not write")
                return
            }
            let slots = try slots(path)
            #expect(slots[0]?.payload == old)
            #expect(slots[1]?.payload == next)
            #expect(try await store.read(id)?.payload == next)
        }
    }

    @Test("below the free-space floor no new session is stored (unavailable), while stored ones keep working")
    func freeSpaceFloor() async throws {
        try await withFileTestFolder { root async throws in
            var store = driver(root)
            #expect(store.minimumFreeBytes == 64 << 20)
            let stored = SessionIdentifier.random()
            try await store.write(stored, payload: [UInt8](repeating: 1, count: 100))
            store.minimumFreeBytes = .max  // more than any disk has
            let fresh = SessionIdentifier.random()
            await #expect {
                try await store.write(fresh, payload: [1])
            } throws: { error in
                guard case SessionError.unavailable(let reason) = error else { return false }
                return reason.contains("files_min_free_mb")
            }
            await #expect(throws: SessionError.self, "a conditional create was stored below the floor") {
                _ = try await store.write(fresh, payload: [1], ifVersion: nil)
            }
            #expect(try await store.read(fresh) == nil, "a new session was stored below the floor")
            #expect(!FileManager.default.fileExists(atPath: root + "/" + fileTestName(fresh)))
            // The stored session is written in place, and even laid out anew when it grows.
            try await store.write(stored, payload: [UInt8](repeating: 2, count: 90))
            try await store.write(stored, payload: [UInt8](repeating: 3, count: 5_000))
            #expect(try await store.read(stored)?.payload.count == 5_000)
        }
    }

    @Test("a smaller record clears the slot it supersedes; an equal or larger one leaves it")
    func shrinkingClearsTheOldSlot() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            try await store.write(id, payload: [UInt8](repeating: 0x5A, count: 300))  // slot 0
            try await store.write(id, payload: [UInt8](repeating: 0x5B, count: 300))  // slot 1: slot 0 kept
            #expect(try slots(path)[0]?.payload == [UInt8](repeating: 0x5A, count: 300))
            try await store.write(id, payload: [1])  // slot 0, smaller: padded, and slot 1 cleared
            let bytes = try fileTestBytes(path)
            let record = SessionFileRecord.headerSize + 1
            #expect(bytes[record...].allSatisfy { $0 == 0 }, "an older or superseded record is still on disk")
            #expect(try await store.read(id)?.payload == [1])
        }
    }

    @Test("both slots torn: no session, never a crash; a create lays the file out anew")
    func bothSlotsTorn() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            try await store.write(id, payload: [1, 2, 3])
            let stored = try #require(try await store.read(id))
            try await store.write(id, payload: [4, 5, 6])
            let layout = SessionFileLayout(forPayloadCount: 3)
            for offset in [0, layout.slotSize] {
                // A length past the slot's end in one, a wrong checksum in the other.
                fileTestOverwrite(path, at: offset + 20, with: offset == 0 ? [0xFF, 0xFF, 0xFF, 0x7F] : [0, 0, 0, 0])
            }
            #expect(try await store.read(id) == nil)
            #expect(try await store.touch(id) == false)
            #expect(try await store.write(id, payload: [7], ifVersion: stored.version) == .missing)
            guard case .written = try await store.write(id, payload: [8], ifVersion: nil) else {
                Issue.record("a create over a torn file did not write")
                return
            }
            #expect(try await store.read(id)?.payload == [8])
            #expect(try slots(path)[0]?.sequence == 1)
        }
    }

    @Test("a payload that outgrows its slots, or shrinks far below them, gets a new file; a smaller one stays in place")
    func relayout() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            let sizes: [(payload: Int, fileSize: Int, inPlace: Bool)] = [
                (400, 2048, false),  // created: slots of 1 KiB
                (10, 2048, true),  // shrinks in place: the length field, not the file, tells
                (986, 2048, true),  // exactly fills a slot
                (987, 8192, false),  // one byte over: laid out anew, slots of 4 KiB
                (2_000, 8192, true),
                (500, 8192, true),  // a fresh file would have 2 KiB slots, half: kept
                (450, 2048, false),  // a fresh file would have 1 KiB slots, a quarter: shrunk
            ]
            var inode = fileTestInode(path)
            for (index, size) in sizes.enumerated() {
                let payload = (0..<size.payload).map { UInt8(truncatingIfNeeded: $0 &+ index) }
                try await store.write(id, payload: payload)
                #expect(try await store.read(id)?.payload == payload, "payload \(size.payload)")
                #expect(try fileTestBytes(path).count == size.fileSize, "payload \(size.payload)")
                let now = fileTestInode(path)
                #expect((now == inode) == size.inPlace, "payload \(size.payload)")
                inode = now
            }
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    @Test("payloads at each size boundary store and read back, fresh and in place")
    func sizeBoundaries() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let header = SessionFileRecord.headerSize
            #expect(SessionFileLayout.slotSize(forPayloadCount: 0) == 512)
            #expect(SessionFileLayout.slotSize(forPayloadCount: 256 - header) == 512)
            #expect(SessionFileLayout.slotSize(forPayloadCount: 257 - header) == 1024)
            #expect(SessionFileLayout.slotSize(forPayloadCount: 16 * 1024 * 1024) == 64 * 1024 * 1024)
            #expect(SessionFileLayout.slotSize(forPayloadCount: .max) == 4 * SessionFileLayout.largestPayload)
            for count in [0, 1, 256 - header, 257 - header, 512 - header, 513 - header, 1024 - header, 1025 - header, 8192] {
                let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                let fresh = SessionIdentifier.random()
                try await store.write(fresh, payload: payload)
                #expect(try await store.read(fresh)?.payload == payload, "fresh \(count)")
                #expect(try fileTestBytes(root + "/" + fileTestName(fresh)).count == 2 * SessionFileLayout.slotSize(forPayloadCount: count))

                // Over a file of 512-byte slots: in place while the record fits one.
                let small = SessionIdentifier.random()
                try await store.write(small, payload: [])
                let inode = fileTestInode(root + "/" + fileTestName(small))
                try await store.write(small, payload: payload)
                #expect(try await store.read(small)?.payload == payload, "over small \(count)")
                #expect((fileTestInode(root + "/" + fileTestName(small)) == inode) == (header + count <= 512), "over small \(count)")
            }
        }
    }

    @Test("a sequence at its end starts a new file at 1")
    func sequenceEnd() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            try await store.write(id, payload: [1])
            fileTestOverwrite(path, at: 0, with: SessionFileRecord(sequence: .max, version: 77, payload: [2]).encoded)
            #expect(try await store.read(id)?.version == 77)
            guard case .written = try await store.write(id, payload: [3], ifVersion: 77) else {
                Issue.record("a write after the last sequence did not write")
                return
            }
            #expect(try await store.read(id)?.payload == [3])
            #expect(try slots(path)[0]?.sequence == 1)
        }
    }

    @Test("a symbolic link at a session's path is never followed: reading throws, a write replaces it")
    func symbolicLink() async throws {
        try await withFileTestFolder { root async throws in
            let folder = root + "/sessions"
            let store = driver(folder)
            let id = SessionIdentifier.random()
            let outside = SessionIdentifier.random()
            let target = root + "/" + fileTestName(outside)
            try await driver(root).write(outside, payload: [1])
            let original = try fileTestBytes(target)
            try await store.open()
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + fileTestName(id), withDestinationPath: target)

            await #expect(throws: FileSessionDriverError.notAFile(operation: "read a session file", folder: folder)) {
                try await store.read(id)
            }
            await #expect(throws: FileSessionDriverError.self) { try await store.touch(id) }
            #expect(try await store.write(id, payload: [2], ifVersion: 1) == .missing)
            try await store.write(id, payload: [3])
            #expect(try fileTestBytes(target) == original)
            #expect(try await store.read(id)?.payload == [3])
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + fileTestName(id))) == nil)
        }
    }

    @Test("4 readers never see a torn payload while a writer rewrites the session 400 times")
    func concurrentReadersSeeWholePayloads() async throws {
        try await withFileTestFolder { root async throws in
            // The clock is a year ahead of the real time: between a write's pwrite and its
            // futimens the file looks expired, and a read must check again under the lock.
            let store = driver(root)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: fileTestSelfCheckingPayload(length: 100, fill: 0))
            let writes = 400
            let done = Locked(false)
            try await withThrowingTaskGroup(of: (reads: Int, bad: Int).self) { group in
                group.addTask {
                    defer { done.withLock { $0 = true } }
                    for round in 1...writes {
                        // Mostly in place, now and then across a slot size (a new file).
                        let length = round.isMultiple(of: 50) ? 20_000 : Int.random(in: 0...4_000)
                        let payload = fileTestSelfCheckingPayload(length: length, fill: UInt8(truncatingIfNeeded: round))
                        if round.isMultiple(of: 2) {
                            try await store.write(id, payload: payload)
                        } else {
                            let version = try await store.read(id)?.version
                            _ = try await store.write(id, payload: payload, ifVersion: version)
                        }
                    }
                    return (0, 0)
                }
                for _ in 0..<4 {
                    group.addTask {
                        var reads = 0
                        var bad = 0
                        while !done.withLock({ $0 }) || reads == 0 {
                            let payload = try await store.read(id)?.payload
                            if payload.map(FileDriverProcessTests.isSelfConsistent) != true { bad += 1 }
                            reads += 1
                            if reads.isMultiple(of: 16) { await Task.yield() }
                        }
                        return (reads, bad)
                    }
                }
                var reads = 0
                for try await result in group {
                    reads += result.reads
                    #expect(result.bad == 0, "\(result.bad) of \(result.reads) reads were torn or missing")
                }
                #expect(reads >= 4)
            }
            #expect(fileTestTemporaryFiles(root).isEmpty)
        }
    }

    #if os(Linux)
    @Test("a read that finds no whole slot reads again under the record lock")
    func lockedReread() async throws {
        try await withFileTestFolder { root async throws in
            let store = driver(root)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            let lockPath = root + "/.lock-" + fileTestName(id)
            try await store.write(id, payload: [1, 2, 3])
            let whole = try fileTestBytes(path)
            // Both slots unreadable, as a read racing two writes would see them.
            fileTestOverwrite(path, at: 0, with: [UInt8](repeating: 0xEE, count: whole.count))
            let inode = try #require(fileTestInode(lockPath))
            let holder = fileTestHoldForeignLock(lockPath)

            // A writer holding the lock finishes its write, then lets go (see
            // writerWaitsAndFollowsRemovedLockFile for why this runs on its own thread).
            let waiterSeen = Locked(false)
            let releaser = Thread {
                var seen = false
                for _ in 0..<1_000 where !seen {
                    let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
                    seen = locks.split(separator: "\n").contains { $0.contains("->") && $0.contains(":\(inode) ") }
                    if !seen { usleep(5_000) }
                }
                waiterSeen.withLock { $0 = seen }
                fileTestOverwrite(path, at: 0, with: whole)
                _ = close(holder)
            }
            releaser.start()
            #expect(try await store.read(id)?.payload == [1, 2, 3])
            #expect(waiterSeen.withLock { $0 }, "the read was never seen waiting on the lock file")
        }
    }
    #endif
}

/// The verbs as the file driver's tests spell them: each write and touch gives the session the
/// driver's default lifetime from its clock's time.
extension FileSessionDriver {
    /// Metadata of a session created now that lives ``lifetime``.
    var freshMetadata: SessionMetadata { .lasting(lifetime, from: clock.now) }

    func write(_ id: SessionIdentifier, payload: [UInt8]) async throws {
        try await write(id, payload: payload, metadata: freshMetadata)
    }

    func write(_ id: SessionIdentifier, payload: [UInt8], ifVersion expected: UInt64?) async throws -> ConditionalWrite {
        try await write(id, payload: payload, metadata: freshMetadata, ifVersion: expected)
    }

    @discardableResult
    func touch(_ id: SessionIdentifier) async throws -> Bool {
        try await touch(id, metadata: freshMetadata)
    }
}

/// The modification time of `path` in seconds since 1970.
private func fileTestModificationTime(_ path: String) throws -> Double {
    var info = stat()
    #expect(lstat(path, &info) == 0)
    return FileSessionDriver.date(of: FileSessionDriver.modificationTime(info)).timeIntervalSince1970
}

@Suite("FileSessionDriver deadlines and the previous format")
struct FileSessionDriverFormatTests {
    let lifetime = Duration.seconds(120)

    /// A whole file of the previous format, `SSF2`, holding `payload` in slot 0.
    static func legacyFile(payload: [UInt8], version: UInt64) -> [UInt8] {
        let littleEndian = { (value: UInt64, count: Int) in (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64($0 * 8)) } }
        let header = Array("SSF2".utf8) + littleEndian(1, 8) + littleEndian(version, 8) + littleEndian(UInt64(payload.count), 4)
        let record = header + littleEndian(UInt64(CRC32C.checksum(header + payload)), 4) + payload
        return record + [UInt8](repeating: 0, count: 1024 - record.count)
    }

    /// Runs `body` with a driver on a manual clock and a file of the previous format holding
    /// `payload` under version `version`, last active `age` ago.
    func withLegacyFile(
        payload: [UInt8], version: UInt64, age: TimeInterval,
        _ body: (FileSessionDriver, ManualClock, SessionIdentifier, String) async throws -> Void
    ) async throws {
        try await withFileTestFolder { root async throws in
            let time = ManualClock()
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: time.clock)
            let id = SessionIdentifier.random()
            let path = root + "/" + fileTestName(id)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.legacyFile(payload: payload, version: version))))
            fileTestSetTime(path, time.now.addingTimeInterval(-age))
            try await body(store, time, id, path)
        }
    }

    @Test("a file of the previous format (SSF2) lives its time plus the lifetime, and its next write converts it")
    func legacyFilesSurviveTheUpgrade() async throws {
        try await withLegacyFile(payload: [1, 2, 3], version: 9, age: 100) { store, time, id, path async throws in
            let stored = try #require(try await store.read(id), "a session of the previous format was lost")
            #expect(stored.payload == [1, 2, 3])
            #expect(stored.version == 9)
            #expect(abs(stored.metadata.expiresAt.timeIntervalSince(time.now.addingTimeInterval(20))) < 0.001)
            #expect(try await store.gc() == 0, "gc removed a live session of the previous format")

            // A conditional write goes in place: the new record in slot 1 is SSF3.
            let written = try await store.write(id, payload: [4], metadata: .lasting(.seconds(600), from: time.now), ifVersion: 9)
            #expect(written != .conflict && written != .missing, "write over the old record returned \(written)")
            #expect(Array(try fileTestBytes(path)[512..<516]) == Array("SSF3".utf8))
            time.advance(by: .seconds(300))
            #expect(try await store.read(id)?.payload == [4], "the converted session did not get its own deadline")
        }
    }

    @Test("an expired file of the previous format is collected")
    func legacyFilesExpire() async throws {
        try await withLegacyFile(payload: [1], version: 3, age: 121) { store, _, id, path async throws in
            #expect(try await store.read(id) == nil)
            #expect(try await store.gc() == 1)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a record whose deadline was never set (a write killed before it) lives the default lifetime from the write")
    func lostDeadlineFallsBackToTheLifetime() async throws {
        try await withFileTestFolder { root async throws in
            // Near the real time: the kernel stamps the simulated write.
            let time = ManualClock(start: Date())
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: time.clock)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1], metadata: .lasting(.seconds(5), from: time.now))
            // A write that sets no time leaves the modification and status-change times equal.
            let fd = open(root + "/" + fileTestName(id), O_WRONLY | O_CLOEXEC)
            #expect(fd >= 0)
            #expect(pwrite(fd, [0], 1, 1023) == 1)
            #expect(close(fd) == 0)
            time.advance(by: .seconds(60))
            #expect(try await store.read(id)?.payload == [1], "a session whose deadline stamp was lost expired")
            time.advance(by: .seconds(70))
            #expect(try await store.read(id) == nil)
        }
    }

    @Test("a user key round-trips, and one longer than a record holds is refused")
    func userKeys() async throws {
        try await withFileTestFolder { root async throws in
            let time = ManualClock()
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: time.clock)
            let id = SessionIdentifier.random()
            try await store.write(id, payload: [1], metadata: .lasting(lifetime, from: time.now, userKey: "ünïcode-user"))
            #expect(try await store.read(id)?.metadata.userKey == "ünïcode-user")
            let long = String(repeating: "k", count: SessionFileRecord.maximumUserKeyBytes + 1)
            await #expect(throws: FileSessionDriverError.self) {
                try await store.write(id, payload: [2], metadata: .lasting(lifetime, from: time.now, userKey: long))
            }
            #expect(try await store.read(id)?.payload == [1])
        }
    }

    @Test("a temporary file with a deadline far ahead is still collected once its status-change time is old")
    func temporaryFilesAgeByStatusChange() async throws {
        try await withFileTestFolder { root async throws in
            let time = ManualClock(start: Date())
            let store = FileSessionDriver(folder: root, lifetime: lifetime, clock: time.clock)
            let name = ".tmp-" + fileTestName(SessionIdentifier.random()) + "-0123abcdef456789"
            #expect(FileManager.default.createFile(atPath: root + "/" + name, contents: Data([1])))
            fileTestSetTime(root + "/" + name, time.now.addingTimeInterval(86_400))
            _ = try await store.gc()
            #expect(FileManager.default.fileExists(atPath: root + "/" + name), "a fresh temporary file was removed")
            time.advance(by: store.tempGracePeriod + .seconds(1))
            _ = try await store.gc()
            #expect(!FileManager.default.fileExists(atPath: root + "/" + name), "a stale temporary file with a future time was kept")
        }
    }
}
