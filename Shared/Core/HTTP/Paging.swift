public import Hummingbird
public import HummingbirdCore

/// The `page` and `limit` query parameters of a list endpoint, validated: `page` from 1, `limit`
/// from 1 to the endpoint's maximum. Anything else is a 400 naming the parameter, never a
/// silently different page.
public struct PageRequest: Sendable, Equatable {
    /// The 1-based page number.
    public let page: Int
    /// Items per page.
    public let limit: Int

    /// Rows to skip before this page.
    public var offset: Int { (page - 1) * limit }

    public init(page: Int, limit: Int) {
        self.page = page
        self.limit = limit
    }

    /// Reads `page` (default 1) and `limit` (default `defaultLimit`, at most `maximumLimit`).
    public static func from(_ parameters: FlatDictionary<Substring, Substring>, defaultLimit: Int = 20, maximumLimit: Int = 100) throws -> PageRequest {
        var validation = Validation()
        let page = integer(parameters, "page", default: 1, range: 1...1_000_000, validation: &validation)
        let limit = integer(parameters, "limit", default: defaultLimit, range: 1...maximumLimit, validation: &validation)
        try validation.check()
        return PageRequest(page: page, limit: limit)
    }

    static func integer(_ parameters: FlatDictionary<Substring, Substring>, _ name: String, default defaultValue: Int,
                        range: ClosedRange<Int>, validation: inout Validation) -> Int {
        guard let text = parameters.get(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            validation.require(false, name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }
}

/// One page of a list: `{items, total, page, limit}`.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public let items: [Item]
    /// Items across all pages.
    public let total: Int
    public let page: Int
    public let limit: Int

    public init(items: [Item], total: Int, request: PageRequest) {
        self.items = items
        self.total = total
        self.page = request.page
        self.limit = request.limit
    }
}

extension Page: ResponseEncodable {}
