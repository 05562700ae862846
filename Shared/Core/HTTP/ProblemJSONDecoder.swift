public import Hummingbird
public import Foundation

/// Decodes JSON request bodies and turns every decoding failure into a 400 problem naming the
/// field at fault, instead of Hummingbird's plain-text 400 (or a 500 for an unexpected error).
public struct ProblemJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], !Self.isJSON(contentType) {
            throw ProblemError.unsupportedMediaType("Send the request body as application/json, not \(contentType).")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try Self.decode(type, from: Data(buffer.readableBytesView))
    }

    /// Decodes `data` with Bazaar's JSON conventions (ISO 8601 dates), mapping failures to problems.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingOptionalWhitespace.lowercased() ?? ""
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }

    /// The validation problem describing a `DecodingError`.
    static func problem(for error: DecodingError) -> ProblemError {
        switch error {
        case .keyNotFound(let key, let context):
            return .validation([FieldError(field: fieldPath(context.codingPath + [key]), message: "is required")])
        case .valueNotFound(let type, let context):
            return .validation([FieldError(field: fieldPath(context.codingPath), message: "must not be null (expected \(typeName(type)))")])
        case .typeMismatch(let type, let context):
            return .validation([FieldError(field: fieldPath(context.codingPath), message: "must be \(typeName(type))")])
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("The request body is not valid JSON.")
        case .dataCorrupted(let context):
            return .validation([FieldError(field: fieldPath(context.codingPath), message: "has an invalid value: \(context.debugDescription)")])
        @unknown default:
            return .badRequest("The request body could not be read.")
        }
    }

    /// `lines[0].quantity` style path for a coding path.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "body" : text
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is [Any].Type: return "an array"
        case is [String: Any].Type: return "an object"
        default: return "a \(type)"
        }
    }
}

extension KeyedDecodingContainer {
    /// The value when present, nil when absent, and an error when it is `null` (through
    /// ``ProblemJSONDecoder``, a 400 naming the field): for optional fields the API document never
    /// allows to be null. (`decodeIfPresent` would take null for absent, "leave it unchanged".)
    public func decodeIfPresentRefusingNull<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(type, forKey: key)
    }
}
