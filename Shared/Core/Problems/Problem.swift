public import Hummingbird
import Foundation

/// One invalid field of a request, as reported in a validation problem's `errors` member.
public struct FieldError: Codable, Sendable, Equatable {
    /// Path of the field in the request body, e.g. `lines[0].quantity`.
    public var field: String
    /// What is wrong, in words a user can act on.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The RFC 9457 problem details document every Bazaar error response carries
/// (`application/problem+json`).
public struct ProblemDocument: Codable, Sendable, Equatable {
    /// A stable URI naming the kind of problem; clients switch on it.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// The request path the problem occurred on.
    public var instance: String?
    /// Field errors of a validation problem.
    public var errors: [FieldError]?
    /// The request id, so a user can quote it to support and an operator can find the logs.
    public var requestId: String?
}

/// An error that becomes a specific problem+json response.
///
/// Throw it (or an error conforming to ``ProblemConvertible``) from a handler; the shared error
/// middleware renders it. Anything else thrown becomes a 500 whose details are only logged.
public struct ProblemError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// The last path segment of the problem type URI, e.g. `validation-failed`.
    public var kind: String
    public var title: String
    public var detail: String
    public var fieldErrors: [FieldError]
    /// Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`.
    public var headers: HTTPFields

    /// Base of every problem type URI.
    public static let typeBase = "https://bazaar.dev/problems/"

    public init(status: HTTPResponse.Status, kind: String, title: String? = nil, detail: String, fieldErrors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.kind = kind
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    /// The full problem type URI.
    public var type: String { Self.typeBase + kind }

    public var description: String { "\(status.code) \(kind): \(detail)" }

    /// 400 with one entry per invalid field.
    public static func validation(_ errors: [FieldError], detail: String = "The request has invalid fields.") -> ProblemError {
        ProblemError(status: .badRequest, kind: "validation-failed", title: "Validation Failed", detail: detail, fieldErrors: errors)
    }

    /// 422 for a well-formed request the rules refuse: a limit exceeded (listing each field), or an
    /// Idempotency-Key reused with another request.
    public static func unprocessable(_ detail: String, fieldErrors: [FieldError] = []) -> ProblemError {
        ProblemError(status: .unprocessableContent, kind: "unprocessable", title: "Unprocessable Content", detail: detail, fieldErrors: fieldErrors)
    }

    /// 400 for a request that is wrong as a whole (no single field at fault).
    public static func badRequest(_ detail: String) -> ProblemError {
        ProblemError(status: .badRequest, kind: "bad-request", detail: detail)
    }

    /// 401; the `WWW-Authenticate` header tells the client to present a bearer token.
    public static func unauthorized(_ detail: String) -> ProblemError {
        ProblemError(status: .unauthorized, kind: "unauthorized", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 403: signed in, but not allowed.
    public static func forbidden(_ detail: String) -> ProblemError {
        ProblemError(status: .forbidden, kind: "forbidden", detail: detail)
    }

    public static func notFound(_ detail: String) -> ProblemError {
        ProblemError(status: .notFound, kind: "not-found", detail: detail)
    }

    public static func conflict(_ detail: String) -> ProblemError {
        ProblemError(status: .conflict, kind: "conflict", detail: detail)
    }

    /// 428: a change that must name the version it replaces came without `If-Match`.
    public static func preconditionRequired(_ detail: String) -> ProblemError {
        ProblemError(status: .init(code: 428, reasonPhrase: "Precondition Required"), kind: "precondition-required", detail: detail)
    }

    /// 412: an `If-Match` precondition did not hold (someone else changed the resource).
    public static func preconditionFailed(_ detail: String) -> ProblemError {
        ProblemError(status: .preconditionFailed, kind: "precondition-failed", detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> ProblemError {
        ProblemError(status: .contentTooLarge, kind: "payload-too-large", detail: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func unsupportedMediaType(_ detail: String) -> ProblemError {
        ProblemError(status: .unsupportedMediaType, kind: "unsupported-media-type", detail: detail)
    }

    /// 429 with `Retry-After` in whole seconds.
    public static func tooManyRequests(retryAfterSeconds: Int, detail: String = "Too many requests; try again later.") -> ProblemError {
        ProblemError(status: .tooManyRequests, kind: "too-many-requests", detail: detail, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// 503 for a dependency that is down; the client may retry.
    public static func serviceUnavailable(_ detail: String) -> ProblemError {
        ProblemError(status: .serviceUnavailable, kind: "service-unavailable", detail: detail)
    }

    /// 500; the detail shown to clients stays generic, the cause is logged.
    static let internalError = ProblemError(status: .internalServerError, kind: "internal-error", detail: "An unexpected error occurred. Quote the request id when reporting it.")
}

/// A domain error that knows which problem it is, so services map errors once, beside their definition.
public protocol ProblemConvertible: Error {
    var problem: ProblemError { get }
}

extension ProblemError: ProblemConvertible {
    public var problem: ProblemError { self }
}

/// Collects field errors so a handler reports every invalid field at once, not only the first.
public struct Validation: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Records `message` for `field` unless `condition` holds.
    public mutating func require(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    /// Checks a free-text field and returns it trimmed of surrounding white space: present (when
    /// `required`), at most `maxLength` characters, and free of control characters, which no
    /// name or address needs and which break logs, emails and Postgres (`NUL`).
    /// An absent optional value, or one that is empty after trimming, gives nil.
    @discardableResult
    public mutating func text(_ value: String?, _ field: String, required: Bool = true, maxLength: Int) -> String? {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            require(!required, field, "is required")
            return nil
        }
        // Counted as JSON Schema's maxLength counts (Unicode code points), before trimming: what the
        // API document promises to refuse is refused.
        let count = value?.unicodeScalars.count ?? 0
        require(count <= maxLength, field, "must be at most \(maxLength) characters (got \(count))")
        require(!Self.containsControlCharacters(trimmed), field, "must not contain control characters")
        return trimmed
    }

    /// Whether `text` holds a control character (Unicode general category Cc, e.g. NUL, ESC, TAB).
    public static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Throws a validation problem when any field failed.
    public func check() throws {
        if !errors.isEmpty { throw ProblemError.validation(errors) }
    }
}
