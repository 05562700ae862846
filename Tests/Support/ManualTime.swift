import Synchronization

/// A clock a test moves forward by hand, for time-based behaviour (rate windows, expiry,
/// back-off) that a test proves without waiting for the time to pass.
public final class ManualTime: Sendable {
    private let microseconds: Atomic<Int64>

    /// Starts at `start` microseconds (any fixed epoch; the default is a plausible Unix time).
    public init(start: Int64 = 1_800_000_000_000_000) {
        microseconds = Atomic(start)
    }

    /// The current time in microseconds.
    public var nowMicroseconds: Int64 { microseconds.load(ordering: .sequentiallyConsistent) }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        microseconds.add(seconds * 1_000_000 + attoseconds / 1_000_000_000_000, ordering: .sequentiallyConsistent)
    }
}
