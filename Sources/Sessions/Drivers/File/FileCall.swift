#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers around the system calls whose names the file driver's own methods shadow
/// (`open`, `write`, `close`, `lock`), retrying nothing unless the name says so: callers handle
/// EINTR.
enum FileCall {
    #if canImport(Glibc)
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
    static func close(_ fd: Int32) -> Int32 { Glibc.close(fd) }
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
    static func fsync(_ fd: Int32) -> Int32 { Glibc.fsync(fd) }
    #elseif canImport(Darwin)
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
    static func close(_ fd: Int32) -> Int32 { Darwin.close(fd) }
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
    static func fsync(_ fd: Int32) -> Int32 { Darwin.fsync(fd) }
    #endif

    /// `open`, tried again while it is interrupted by a signal.
    static func openRetryingInterrupts(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        var fd: Int32
        repeat {
            fd = open(path, flags, mode)
        } while fd < 0 && errno == EINTR
        return fd
    }

    /// Whether `a` and `b` describe the same file (device and inode).
    static func sameFile(_ a: stat, _ b: stat) -> Bool {
        a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
