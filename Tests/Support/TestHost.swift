public import BazaarCore
public import Foundation
import HummingbirdTesting

extension ServiceHost {
    /// A host configured only by `values` (never the developer's environment), logging into `logs`.
    public static func testing(_ values: [String: String] = [:], logs: LogCapture = LogCapture(), openAPIDocument: URL? = nil) throws -> ServiceHost {
        var settings = ["PORT": "0", "HOST": "127.0.0.1"]
        settings.merge(values) { _, given in given }
        return try ServiceHost(name: "test", defaultPort: 0, settings: Settings(settings), openAPIDocument: openAPIDocument, logSink: logs)
    }
}
