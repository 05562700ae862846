public import Hummingbird

/// Optimistic concurrency over HTTP: a resource's version travels as its `ETag` (`"3"`) and
/// comes back in `If-Match`; a stale one is a 412.
public enum EntityVersion {
    /// The `ETag` value for `version`.
    public static func eTag(_ version: Int) -> String { "\"\(version)\"" }

    /// The version an `If-Match` header names (`"3"`, `W/"3"`, or a detail `ETag` like
    /// `"3-9f2c…"`); nil without the header. A header naming no version cannot match: 412
    /// saying which `resource` it had to name.
    public static func ifMatch(_ request: Request, resource: String) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        var text = header.trimmingOptionalWhitespace
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.hasPrefix("\"") { text = text.dropFirst() }
        guard let version = Int(text.prefix { $0.isASCII && $0.isNumber }), version > 0 else {
            throw ProblemError.preconditionFailed("If-Match must carry the \(resource)'s ETag or version.")
        }
        return version
    }
}
