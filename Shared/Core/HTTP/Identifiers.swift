import Foundation

extension ServiceRequestContext {
    /// The path parameter `name` when it can be an identifier (1 to 100 ASCII letters, digits,
    /// `-`, `_` and `.`); otherwise `notFound`: a malformed id names nothing, as an unknown one.
    public func identifier(_ name: String = "id", orThrow notFound: ProblemError) throws -> String {
        guard let id = parameters.get(name), Self.isIdentifier(id) else { throw notFound }
        return id
    }

    /// Whether `text` can be an identifier: 1 to 100 ASCII letters, digits, `-`, `_` and `.`.
    public static func isIdentifier(_ text: String) -> Bool {
        (1...100).contains(text.utf8.count)
            && text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
    }
}

extension Validation {
    /// An optional query filter naming an id (`userId`, `orderId`): absent, or an identifier
    /// (``ServiceRequestContext/isIdentifier(_:)``); anything else (a NUL, a space) is a 400,
    /// never a query.
    public mutating func optionalIdentifier(_ value: String?, _ field: String) {
        require(value.map(ServiceRequestContext.isIdentifier) ?? true, field, "must be 1 to 100 letters, digits, '-', '_' or '.'")
    }

    /// An optional query value naming one case of `T` (`status`, `sort`): the case, nil when absent;
    /// any other text is recorded as "must be one of …" and yields nil.
    public mutating func optionalCase<T: RawRepresentable & CaseIterable>(_ text: String?, _ field: String, of type: T.Type) -> T?
    where T.RawValue == String {
        guard let text else { return nil }
        guard let value = T(rawValue: text) else {
            require(false, field, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }
}
