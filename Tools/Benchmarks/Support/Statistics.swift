/// Summaries every committed benchmark reports the same way.

/// The middle value (the mean of the two middle ones for an even count); 0 for no values.
public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// p50, p99 and mean of latency samples in milliseconds (nearest-rank percentiles).
public struct LatencySummary: Codable, Sendable {
    public var p50: Double
    public var p99: Double
    public var mean: Double
    public var samples: Int

    public init(_ milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        func percentile(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((Double(sorted.count) * fraction).rounded(.up))
            return sorted[min(sorted.count - 1, max(rank - 1, 0))]
        }
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        samples = sorted.count
    }
}
