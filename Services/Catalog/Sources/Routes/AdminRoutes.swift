import BazaarCore
import BazaarMessaging
import Foundation
import Hummingbird

/// Catalog administration (role `admin`): products, categories and brands. Every write
/// invalidates the cached answers it affects before responding.
struct AdminRoutes: Sendable {
    let store: CatalogStore
    let responses: CachedResponses

    struct CategoryFields: Decodable {
        var slug: String?
        var name: String?
        var parentId: Patch<String>?
        var position: Int?

        enum CodingKeys: String, CodingKey {
            case slug, name, parentId, position
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            slug = try container.decodeIfPresentRefusingNull(String.self, forKey: .slug)
            name = try container.decodeIfPresentRefusingNull(String.self, forKey: .name)
            parentId = try Patch.decode(from: container, forKey: .parentId)
            position = try container.decodeIfPresentRefusingNull(Int.self, forKey: .position)
        }
    }

    struct BrandFields: Decodable {
        var slug: String?
        var name: String?

        enum CodingKeys: String, CodingKey {
            case slug, name
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            slug = try container.decodeIfPresentRefusingNull(String.self, forKey: .slug)
            name = try container.decodeIfPresentRefusingNull(String.self, forKey: .name)
        }
    }

    func add(to catalog: RouterGroup<ServiceRequestContext>) {
        catalog.post("products", use: createProduct)
        catalog.put("products/:id", use: replaceProduct)
        catalog.patch("products/:id", use: patchProduct)
        catalog.delete("products/:id", use: deleteProduct)
        catalog.post("categories", use: createCategory)
        catalog.put("categories/:id", use: replaceCategory)
        catalog.patch("categories/:id", use: replaceCategory)
        catalog.delete("categories/:id", use: deleteCategory)
        catalog.post("brands", use: createBrand)
        catalog.put("brands/:id", use: replaceBrand)
        catalog.patch("brands/:id", use: replaceBrand)
        catalog.delete("brands/:id", use: deleteBrand)
    }

    // MARK: Products

    @Sendable func createProduct(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        let draft = try ProductDraft.complete(try await request.decode(as: ProductFields.self, context: context))
        let product = try await store.createProduct(draft, context: EventContext(request: context))
        await responses.invalidate([.productLists, .productDetails, .categories])
        return try productResponse(product, status: .created, context: context)
    }

    @Sendable func replaceProduct(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        let replacement = try ProductDraft.complete(try await request.decode(as: ProductFields.self, context: context))
        let product = try await store.updateProduct(idOrSlug: try id(context), expectedVersion: try EntityVersion.ifMatch(request, resource: "product"),
                                                    context: EventContext(request: context)) { draft in draft = replacement }
        await responses.invalidate([.productLists, .productDetails, .categories])
        return try productResponse(product, status: .ok, context: context)
    }

    @Sendable func patchProduct(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        let fields = try await request.decode(as: ProductFields.self, context: context)
        let product = try await store.updateProduct(idOrSlug: try id(context), expectedVersion: try EntityVersion.ifMatch(request, resource: "product"),
                                                    context: EventContext(request: context)) { draft in draft.apply(fields) }
        await responses.invalidate([.productLists, .productDetails, .categories])
        return try productResponse(product, status: .ok, context: context)
    }

    @Sendable func deleteProduct(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        try await store.deleteProduct(idOrSlug: try id(context), expectedVersion: try EntityVersion.ifMatch(request, resource: "product"),
                                      context: EventContext(request: context))
        await responses.invalidate([.productLists, .productDetails, .categories])
        return Response(status: .noContent)
    }

    private func productResponse(_ product: Product, status: HTTPResponse.Status, context: ServiceRequestContext) throws -> Response {
        let body = try CachedResponses.encoder.encode(ProductView(product))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: EntityVersion.eTag(product.version), .cacheControl: "no-store"]
        if status == .created { headers[.location] = "/api/catalog/products/\(product.id)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func id(_ context: ServiceRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...120).contains(id.count) else { throw ProblemError.notFound("Nothing with this id.") }
        return id
    }

    // MARK: Categories

    @Sendable func createCategory(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<CategoryView> {
        _ = try context.requireRole(.admin)
        let fields = try await request.decode(as: CategoryFields.self, context: context)
        let category = try Self.category(id: "c-" + UUID().uuidString.prefix(8).lowercased(), from: fields, existing: nil)
        try await store.saveCategory(category, isNew: true)
        await responses.invalidate([.categories, .productLists, .productDetails])
        return EditedResponse(status: .created, headers: [.location: "/api/catalog/categories/\(category.id)"], response: CategoryView(category))
    }

    @Sendable func replaceCategory(_ request: Request, context: ServiceRequestContext) async throws -> CategoryView {
        _ = try context.requireRole(.admin)
        let id = try id(context)
        guard let existing = try await store.categories.findOne(["_id": .string(id)]) else { throw ProblemError.notFound("No category with this id.") }
        let fields = try await request.decode(as: CategoryFields.self, context: context)
        let category = try Self.category(id: id, from: fields, existing: request.method == .patch ? existing : nil)
        try await store.saveCategory(category, isNew: false)
        await responses.invalidate([.categories, .productLists, .productDetails])
        return CategoryView(category)
    }

    @Sendable func deleteCategory(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        try await store.deleteCategory(id: try id(context))
        await responses.invalidate([.categories, .productLists, .productDetails])
        return Response(status: .noContent)
    }

    /// A category from `fields`, over `existing` for a patch; 400 with every invalid field.
    static func category(id: String, from fields: CategoryFields, existing: Category?) throws -> Category {
        var validation = Validation()
        let name = validation.text(fields.name ?? existing?.name, "name", maxLength: 100) ?? ""
        let slug = fields.slug ?? existing?.slug ?? Slug.make(from: name)
        validation.require(Slug.isValid(slug), "slug", "must be 1 to 120 characters of a–z, 0–9 and single hyphens")
        let position = fields.position ?? existing?.position ?? 0
        validation.require((0...10_000).contains(position), "position", "must be from 0 to 10000")
        let parentId: String? = fields.parentId.map { $0.value } ?? existing?.parentId
        validation.require(parentId != id, "parentId", "must not be the category itself")
        try validation.check()
        return Category(id: id, slug: slug, name: name, parentId: parentId, position: position)
    }

    // MARK: Brands

    @Sendable func createBrand(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<BrandView> {
        _ = try context.requireRole(.admin)
        let fields = try await request.decode(as: BrandFields.self, context: context)
        let brand = try Self.brand(id: "b-" + UUID().uuidString.prefix(8).lowercased(), from: fields, existing: nil)
        try await store.saveBrand(brand, isNew: true)
        await responses.invalidate([.brands])
        return EditedResponse(status: .created, headers: [.location: "/api/catalog/brands/\(brand.id)"], response: BrandView(brand))
    }

    @Sendable func replaceBrand(_ request: Request, context: ServiceRequestContext) async throws -> BrandView {
        _ = try context.requireRole(.admin)
        let id = try id(context)
        guard let existing = try await store.brands.findOne(["_id": .string(id)]) else { throw ProblemError.notFound("No brand with this id.") }
        let fields = try await request.decode(as: BrandFields.self, context: context)
        let brand = try Self.brand(id: id, from: fields, existing: request.method == .patch ? existing : nil)
        try await store.saveBrand(brand, isNew: false)
        await responses.invalidate([.brands, .productLists, .productDetails])
        return BrandView(brand)
    }

    @Sendable func deleteBrand(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        try await store.deleteBrand(id: try id(context))
        await responses.invalidate([.brands])
        return Response(status: .noContent)
    }

    static func brand(id: String, from fields: BrandFields, existing: Brand?) throws -> Brand {
        var validation = Validation()
        let name = validation.text(fields.name ?? existing?.name, "name", maxLength: 100) ?? ""
        let slug = fields.slug ?? existing?.slug ?? Slug.make(from: name)
        validation.require(Slug.isValid(slug), "slug", "must be 1 to 120 characters of a–z, 0–9 and single hyphens")
        try validation.check()
        return Brand(id: id, slug: slug, name: name)
    }
}

extension CategoryView: ResponseEncodable {}
extension BrandView: ResponseEncodable {}
