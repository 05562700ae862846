import Hummingbird
import Foundation

/// The paths of a service's OpenAPI document, each with the methods it declares: what a request
/// the router found no route for is checked against.
struct DocumentedPaths: Sendable {
    struct Entry: Sendable {
        /// The template's segments; `nil` stands for a `{parameter}`.
        let segments: [String?]
        let methods: [String]
    }

    let entries: [Entry]

    /// Reads the `paths` of an OpenAPI 3 document.
    init(openAPIDocument: Data) throws {
        guard let document = try JSONSerialization.jsonObject(with: openAPIDocument) as? [String: Any],
              let paths = document["paths"] as? [String: Any] else {
            throw DocumentedPathsError(reason: "the document has no paths object")
        }
        let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        entries = paths.compactMap { template, item in
            guard let item = item as? [String: Any] else { return nil }
            let segments = template.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String? in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? nil : String(segment)
            }
            return Entry(segments: segments, methods: methods.filter { item[$0] != nil }.map { $0.uppercased() })
        }
    }

    /// The methods declared for the template `path` matches, or nil when none does. Where several
    /// match (`/api/users/audit` and `/api/users/{id}`), the most specific one, as the router
    /// chooses: the first segment where they differ is a literal in it.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let matching = entries.filter { entry in
            entry.segments.count == segments.count
                && zip(entry.segments, segments).allSatisfy { template, segment in template.map { $0 == segment } ?? !segment.isEmpty }
        }
        return matching.max { less, more in
            guard let first = zip(less.segments, more.segments).first(where: { ($0 == nil) != ($1 == nil) }) else { return false }
            return first.0 == nil
        }?.methods
    }
}

struct DocumentedPathsError: Error, CustomStringConvertible {
    let reason: String
    var description: String { "OpenAPI document: \(reason)" }
}

/// Answers 405 with `Allow` for a request whose path the service's document declares, with a
/// method it does not (`DELETE` on a collection that only lists and creates): the router alone
/// would say 404, as if the path did not exist. Only the router's own "no route" is changed; a
/// handler's 404 for a missing resource stays what it is.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let paths: DocumentedPaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            guard let declared = paths.methods(for: request.uri.path) else { throw error }
            // Wherever GET is declared, HEAD is answered too (the router generates it).
            let methods = declared.flatMap { $0 == "GET" && !declared.contains("HEAD") ? ["GET", "HEAD"] : [$0] }
            guard !methods.contains(request.method.rawValue) else { throw error }
            throw ProblemError(status: .methodNotAllowed, kind: "method-not-allowed",
                               detail: "\(request.uri.path) does not support \(request.method.rawValue); it supports \(methods.joined(separator: ", ")).",
                               headers: [.allow: methods.joined(separator: ", ")])
        }
    }
}
