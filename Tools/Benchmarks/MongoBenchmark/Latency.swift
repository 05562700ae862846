import Foundation

/// Latency percentiles of one operation, in milliseconds.
struct Latency: Codable {
    var p50: Double
    var p99: Double
    var mean: Double
    var samples: Int

    init(_ milliseconds: [Double]) {
        let ordered = milliseconds.sorted()
        func percentile(_ fraction: Double) -> Double {
            ordered.isEmpty ? 0 : ordered[min(ordered.count - 1, Int(fraction * Double(ordered.count)))]
        }
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        mean = ordered.isEmpty ? 0 : ordered.reduce(0, +) / Double(ordered.count)
        samples = ordered.count
    }
}

/// Both operations of one client.
struct Measurements: Codable {
    var findById: Latency
    var insert: Latency
}

/// What `--output` writes.
struct Results: Codable {
    var server: String
    var samples: Int
    var bazaarMongo: Measurements
    var pymongo: Measurements
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
