import BazaarCore
import Foundation
import Hummingbird

/// `GET /api/catalog/products`, `/products/{id or slug}`, `/categories`, `/brands`: answered
/// from cached, already-encoded bytes with `ETag` / `If-None-Match`.
struct PublicRoutes: Sendable {
    let store: CatalogStore
    let responses: CachedResponses

    func add(to catalog: RouterGroup<ServiceRequestContext>) {
        catalog.get("products", use: list)
        catalog.get("products/:id", use: detail)
        catalog.get("categories", use: categories)
        catalog.get("brands", use: brands)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let query = try ProductQuery.from(request.uri.queryParameters)
        let store = self.store
        let entity = try await responses.entity(.productLists, id: query.cacheID) {
            let (items, total) = try await store.list(query)
            return (ProductPage(items: items.map(ProductView.init), total: total, page: query.page.page, limit: query.page.limit), nil)
        }
        return CachedResponses.response(entity, for: request)
    }

    @Sendable func detail(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let idOrSlug = context.parameters.get("id"), (1...120).contains(idOrSlug.count) else {
            throw ProblemError.notFound("No product with this id or slug.")
        }
        let store = self.store
        let entity = try await responses.entity(.productDetails, id: idOrSlug) {
            // Inactive products keep their page (old links and orders point at them), marked inactive.
            guard let product = try await store.product(idOrSlug: idOrSlug) else { throw ProblemError.notFound("No product with this id or slug.") }
            let tree = CategoryTree(try await store.allCategories())
            let brand = try await product.brand.asyncMap { try await store.brands.findOne(["_id": .string($0)]) } ?? nil
            let detail = ProductDetailView(product: ProductView(product), brand: brand.map(BrandView.init),
                                           categoryPaths: product.categoryIds.map { tree.path(to: $0).map(CategoryView.init) })
            return (detail, String(product.version))
        }
        return CachedResponses.response(entity, for: request)
    }

    @Sendable func categories(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let store = self.store
        let entity = try await responses.entity(.categories, id: "tree") {
            let tree = CategoryTree(try await store.allCategories())
            return (ItemList(items: CategoryNodeView.tree(tree, counts: try await store.productCounts(categoryTree: tree))), nil)
        }
        return CachedResponses.response(entity, for: request)
    }

    @Sendable func brands(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let store = self.store
        let entity = try await responses.entity(.brands, id: "all") {
            (ItemList(items: try await store.allBrands().map(BrandView.init)), nil)
        }
        return CachedResponses.response(entity, for: request)
    }
}

extension Optional {
    func asyncMap<Result>(_ transform: (Wrapped) async throws -> Result) async rethrows -> Result? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
