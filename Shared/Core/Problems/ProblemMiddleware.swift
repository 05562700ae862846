public import Hummingbird
import Foundation

/// Turns every error thrown below it into an RFC 9457 `application/problem+json` response.
///
/// ``ProblemConvertible`` errors keep their status and type; Hummingbird's own errors (unknown
/// route, oversized body, ...) keep their status; anything else is a 500 whose cause is logged
/// with the request id but never shown to the client.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, context: context)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(reflecting: error))])
            }
            return Self.response(for: problem, path: request.uri.path, requestID: context.requestID)
        }
    }

    static func problem(for error: any Error, context: Context) -> ProblemError {
        switch error {
        case let convertible as any ProblemConvertible:
            return convertible.problem
        case let httpError as HTTPError:
            return problem(status: httpError.status, message: httpError.body, headers: httpError.headers, context: context)
        case let responseError as any HTTPResponseError:
            return problem(status: responseError.status, message: nil, headers: [:], context: context)
        default:
            return .internalError
        }
    }

    /// Maps a framework status to the same problem types handlers use.
    static func problem(status: HTTPResponse.Status, message: String?, headers: HTTPFields, context: Context) -> ProblemError {
        var problem: ProblemError
        switch status {
        case .notFound: problem = .notFound(message ?? "No resource exists at this path.")
        case .contentTooLarge: problem = .payloadTooLarge(limit: context.maxUploadSize)
        case .methodNotAllowed: problem = ProblemError(status: status, kind: "method-not-allowed", detail: "This path does not support the request method.")
        case .badRequest: problem = .badRequest(message ?? "The request is malformed.")
        case .unauthorized: problem = .unauthorized(message ?? "Authentication is required.")
        default:
            if status.code >= 500 { problem = .internalError } else {
                problem = ProblemError(status: status, kind: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-"),
                                       detail: message ?? status.reasonPhrase)
            }
        }
        problem.headers.append(contentsOf: headers)
        return problem
    }

    /// The problem+json response for `problem`.
    public static func response(for problem: ProblemError, path: String, requestID: String) -> Response {
        let document = ProblemDocument(
            type: problem.type, title: problem.title, status: Int(problem.status.code), detail: problem.detail,
            instance: path, errors: problem.fieldErrors.isEmpty ? nil : problem.fieldErrors,
            requestId: requestID.isEmpty ? nil : requestID
        )
        var headers = problem.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        // Encoding a plain struct of strings and ints cannot fail.
        let body = (try? encoder.encode(document)) ?? Data()
        return Response(status: problem.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Paths and URIs in problems read as they are (`/api/users`, not `\/api\/users`).
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
