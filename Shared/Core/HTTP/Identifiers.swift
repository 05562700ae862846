import Foundation

extension ServiceRequestContext {
    /// The path parameter `name` when it can be an identifier (1 to 100 ASCII letters, digits,
    /// `-`, `_` and `.`); otherwise `notFound`: a malformed id names nothing, as an unknown one.
    public func identifier(_ name: String = "id", orThrow notFound: ProblemError) throws -> String {
        guard let id = parameters.get(name), !id.isEmpty, id.count <= 100,
              id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { throw notFound }
        return id
    }
}

extension Validation {
    /// An optional query filter naming an id (`userId`, `orderId`): absent, or 1 to 100 characters.
    public mutating func optionalIdentifier(_ value: String?, _ field: String) {
        require(value.map { !$0.isEmpty && $0.count <= 100 } ?? true, field, "must be 1 to 100 characters")
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
