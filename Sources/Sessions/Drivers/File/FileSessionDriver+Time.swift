#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// File times: expiry from modification times, and conversions between `Date` and `timespec`.
extension FileSessionDriver {
    /// Whether a file modified at `modified` is older than `limit` at `now`. Differences below a
    /// microsecond count as equal, because `Date` cannot hold every nanosecond exactly: a file is
    /// still valid exactly at the limit.
    func isExpired(modified: timespec, now: Date, after limit: Duration) -> Bool {
        let age = Self.instant(Self.timeSpec(of: now)) - Self.instant(modified)
        return age > limit + .microseconds(1)
    }

    /// `date` as a timespec since the Unix epoch.
    static func timeSpec(of date: Date) -> timespec {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return timespec(tv_sec: 0, tv_nsec: 0) }
        var seconds = interval.rounded(.down)
        var nanoseconds = ((interval - seconds) * 1e9).rounded()
        if nanoseconds >= 1e9 {
            seconds += 1
            nanoseconds -= 1e9
        }
        let wholeSeconds = time_t(exactly: seconds) ?? (seconds < 0 ? time_t.min : time_t.max)
        return timespec(tv_sec: wholeSeconds, tv_nsec: Int(nanoseconds))
    }

    /// `time` as a duration since the Unix epoch.
    static func instant(_ time: timespec) -> Duration {
        .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    /// `time` as a date.
    static func date(of time: timespec) -> Date {
        Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
    }

    /// The modification time in `info`.
    static func modificationTime(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_mtimespec
        #else
        info.st_mtim
        #endif
    }

    /// Whether `info` describes a regular file.
    static func isRegularFile(_ info: stat) -> Bool {
        (info.st_mode & S_IFMT) == S_IFREG
    }
}
