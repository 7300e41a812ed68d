#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// File times: deadlines from modification times, and conversions between `Date` and `timespec`.
extension FileSessionDriver {
    /// The deadline of the session file with status `info` holding `record` (nil: no whole
    /// record), as a time since 1970.
    ///
    /// A write or touch sets the file's modification time to the session's deadline. The
    /// deadline is the modification time plus ``lifetime`` instead for a record of the previous
    /// format (its time is its last activity), for a file with no whole record, and for a file
    /// whose modification and status-change times are equal: a write that sets no time leaves
    /// them so, which a write killed between writing its record and setting the time does (and
    /// a reader sees between the two), whereas setting a time changes only the status-change
    /// time to the present.
    func deadline(of info: stat, _ record: SessionFileRecord?) -> Duration {
        let modified = Self.instant(Self.modificationTime(info))
        let stamped = (record.map { !$0.isLegacy } ?? false) && modified != Self.instant(Self.statusChangeTime(info))
        return stamped ? modified : modified + lifetime
    }

    /// Whether `deadline` (a time since 1970) has passed at `now`. Differences below a
    /// microsecond count as equal, because `Date` cannot hold every nanosecond exactly: a session
    /// is still live exactly at its deadline.
    func isPast(_ deadline: Duration, now: Date) -> Bool {
        Self.instant(Self.timeSpec(of: now)) > deadline + .microseconds(1)
    }

    /// The metadata of `record`, in the file with status `info`. A record of the previous format
    /// has no creation time: its file's modification time (its last activity) stands in.
    func metadata(of info: stat, _ record: SessionFileRecord) -> SessionMetadata {
        let modified = Self.date(of: Self.modificationTime(info))
        return SessionMetadata(
            expiresAt: Self.date(of: deadline(of: info, record)),
            createdAt: record.createdAt.map { Date(timeIntervalSince1970: Double($0) / 1e6) } ?? modified,
            userKey: record.userKey
        )
    }

    /// `date` in whole microseconds since 1970, as a record stores creation times.
    static func microseconds(of date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1e6).rounded()
        return Int64(exactly: value) ?? (value < 0 ? .min : .max)
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

    /// `time`, a duration since 1970, as a date.
    static func date(of time: Duration) -> Date {
        Date(timeIntervalSince1970: time.secondsValue)
    }

    /// The modification time in `info`.
    static func modificationTime(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_mtimespec
        #else
        info.st_mtim
        #endif
    }

    /// The status-change time in `info`.
    static func statusChangeTime(_ info: stat) -> timespec {
        #if canImport(Darwin)
        info.st_ctimespec
        #else
        info.st_ctim
        #endif
    }

    /// Whether `info` describes a regular file.
    static func isRegularFile(_ info: stat) -> Bool {
        (info.st_mode & S_IFMT) == S_IFREG
    }
}
