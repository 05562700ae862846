import BazaarBenchmarkSupport
import Foundation

/// Latency percentiles of one operation, in milliseconds.
typealias Latency = LatencySummary

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
