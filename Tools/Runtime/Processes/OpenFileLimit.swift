#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`), which every child inherits.
///
/// Distributions start programs with a soft limit of 1024 and a much higher hard limit. One open
/// live stream holds two descriptors in the gateway (client and upstream) and one in the service,
/// so the launcher raises its soft limit to the hard one before it starts anything: the gateway
/// and services then hold thousands of streams instead of a few hundred.
public enum OpenFileLimit {
    /// The current soft limit.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)  // "unlimited" is the largest value: Int.max
    }

    /// Raises the soft limit to the hard limit (at most `ceiling`, as some kernels refuse
    /// "unlimited" for files) and returns the limit now in force.
    @discardableResult
    public static func raise(ceiling: Int = 1 << 20) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return current }
        let wanted = rlim_t(min(ceiling, Int(clamping: limit.rlim_max)))
        if wanted > limit.rlim_cur {
            limit.rlim_cur = wanted
            // Refused (a sandbox, say): the old limit stays, which `current` then reports.
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current
    }

    /// `worker_connections` for nginx under a soft limit of `limit` open files: as many as the
    /// limit leaves room for (each connection is one descriptor; nginx keeps some for its files
    /// and logs), between 256 and 8192.
    public static func nginxWorkerConnections(forLimit limit: Int) -> Int {
        min(8192, max(256, limit - 128))
    }
}
