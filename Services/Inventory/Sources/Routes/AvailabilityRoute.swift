import BazaarCore
import BazaarPostgres
import Hummingbird

/// `GET /api/inventory/availability?skus=a,b,c` (public): for product and cart pages.
struct AvailabilityRoute: Sendable {
    let database: PostgresStore
    let stock: StockStore

    static let maximumSKUs = 100

    func add(to inventory: RouterGroup<ServiceRequestContext>) {
        inventory.get("availability", use: availability)
    }

    @Sendable func availability(_ request: Request, context: ServiceRequestContext) async throws -> AvailabilityView {
        let skus = try Self.skus(request.uri.queryParameters.get("skus"))
        let available = try await database.withConnection { try await stock.availability(of: skus, on: $0) }
        var view = AvailabilityView(availability: [:], unknown: [])
        for sku in skus {
            if let count = available[sku] {
                view.availability[sku] = .init(available: count, inStock: count > 0)
            } else {
                view.unknown.append(sku)
            }
        }
        return view
    }

    /// The `skus` parameter: comma-separated, each a valid SKU, 1 to ``maximumSKUs`` of them
    /// (repeats counted once); anything else is a 400 naming the parameter.
    static func skus(_ parameter: String?) throws -> [String] {
        var validation = Validation()
        var skus: [String] = []
        var seen = Set<String>()
        for part in (parameter ?? "").split(separator: ",", omittingEmptySubsequences: false) {
            let sku = part.trimmingOptionalWhitespace
            guard SKU.isValid(sku) else {
                validation.require(false, "skus", "must be a comma-separated list of SKUs (1–\(SKU.maximumLength) letters, digits, '.', '_' or '-')")
                break
            }
            if seen.insert(String(sku)).inserted { skus.append(String(sku)) }
        }
        validation.require(skus.count <= maximumSKUs, "skus", "must name at most \(maximumSKUs) SKUs (got \(skus.count))")
        try validation.check()
        return skus
    }
}
