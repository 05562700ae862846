public import BazaarCore
public import Foundation
public import Hummingbird

/// Compares what a router really serves with an OpenAPI document, so an endpoint cannot be added
/// without being described.
public enum OpenAPICoverage {
    /// Every `METHOD /path` routed by `router` (health, metrics and the document itself included)
    /// that `document`'s `paths` do not describe. Path parameters are compared by position, so
    /// `:id` matches `{id}` or any other name.
    public static func undocumented(_ router: Router<ServiceRequestContext>, document: URL) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: document)) as? [String: Any]
        let paths = object?["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(shape(path))" } })
        return router.routes.map { "\($0.method.rawValue) \(shape($0.path.description))" }.filter { !documented.contains($0) }.sorted()
    }

    /// `/api/users/:id` and `/api/users/{userId}` both become `/api/users/{}`; no trailing slash.
    static func shape(_ path: String) -> String {
        let parts = path.split(separator: "/").map { part in
            part.hasPrefix(":") || (part.hasPrefix("{") && part.hasSuffix("}")) ? "{}" : String(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
