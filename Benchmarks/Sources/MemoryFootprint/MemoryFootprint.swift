import CMalloc
import Fixtures
import Foundation
import Sessions

/// 7. Resident memory of 1,000,000 idle sessions (or the count given as the first argument) of the small fixture in the memory driver.
///
/// The payload is encoded once through a real session; each stored session then gets its own
/// copy (one byte changed, so no two share a buffer), as sessions written by requests would.
@main
struct MemoryFootprint {
    static func main() async throws {
        let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
        let payload = try await Fixtures.smallPayload()
        // The cap is split evenly over 64 shards; 5% headroom keeps a random fill from evicting.
        let driver = MemorySessionDriver(maximumSessions: count + count / 20)

        let before = try residentBytes()
        let heapBefore = heapInUse()
        let start = ContinuousClock.now
        try await fill(driver, count: count, payload: payload)
        let elapsed = ContinuousClock.now - start
        let heapAfter = heapInUse()
        malloc_trim(0)  // return what the shards' outgrown tables freed, so RSS counts live memory
        let after = try residentBytes()

        let perSession = Double(after - before) / Double(count)
        let heapPerSession = Double(heapAfter - heapBefore) / Double(count)
        let target = payload.count + 150
        print("sessions stored:      \(driver.count) of \(count) written in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds])))")
        print("encoded small fixture: \(payload.count) B (capacity of the array a save stores: \(payload.capacity) B)")
        print("VmRSS before / after:  \(before / 1024) KiB / \(after / 1024) KiB")
        print("resident per session:  \(String(format: "%.0f", perSession)) B (VmRSS delta after malloc_trim)")
        print("malloc'd per session:  \(String(format: "%.0f", heapPerSession)) B (mallinfo2 delta: heap + mmapped chunks in use)")
        print("target:                ≤ \(target) B (encoded size + 150 B): \(perSession <= Double(target) ? "met" : "MISSED")")
    }

    /// Writes `count` sessions. Off the main actor, so no write hops between executors.
    nonisolated static func fill(_ driver: MemorySessionDriver, count: Int, payload: [UInt8]) async throws {
        let metadata = Fixtures.metadata()
        for index in 0..<count {
            var copy = Array(payload)
            copy[1] = UInt8(truncatingIfNeeded: index)  // a byte of createdAt: still a valid payload
            try await driver.write(.random(), payload: copy, metadata: metadata)
        }
    }

    /// Bytes the allocator has handed out: small chunks plus large (mmapped) ones.
    static func heapInUse() -> Int {
        let info = mallinfo2()
        return info.uordblks + info.hblkhd
    }

    /// VmRSS from /proc/self/status, in bytes.
    static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ")[1])
        else { throw FixtureError.unexpected("no VmRSS in /proc/self/status") }
        return kilobytes * 1024
    }
}
