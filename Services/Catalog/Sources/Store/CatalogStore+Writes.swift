import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarMongo
import Foundation

extension CatalogStore {
    // MARK: Products

    /// Adds a product and its `product.created` event in one transaction.
    func createProduct(_ draft: ProductDraft, context: EventContext, now: Date = Date()) async throws -> Product {
        let brandName = try await checkReferences(of: draft)
        var product = Product(id: UUID().uuidString.lowercased(), sku: draft.sku, slug: draft.slug, name: draft.name, description: draft.description,
                              brand: draft.brand, categoryIds: draft.categoryIds, price: draft.price, compareAtPrice: draft.compareAtPrice,
                              images: draft.images, attributes: draft.attributes, active: draft.active, featured: draft.featured,
                              createdAt: now, updatedAt: now, version: 1)
        product.searchTokens = SearchText.tokens(for: product, brandName: brandName)
        try await mongo.withTransaction { session in
            try await products.insertOne(product, session: session)
            try await events.productCreated(product, at: now, context: context, session: session)
        }
        events.committed()
        return product
    }

    /// Changes a product (its version must still be `expectedVersion` when given) and publishes
    /// `product.updated`, or `product.deleted` when the change withdrew it from sale.
    func updateProduct(idOrSlug: String, expectedVersion: Int?, context: EventContext, now: Date = Date(),
                       _ change: (inout ProductDraft) throws -> Void) async throws -> Product {
        guard let current = try await product(idOrSlug: idOrSlug) else { throw ProblemError.notFound("No product with this id or slug.") }
        var draft = ProductDraft(current)
        try change(&draft)
        // Invalid fields are a 400 whatever the If-Match: the precondition is evaluated after the
        // request's own checks (RFC 9110, 13.2.2).
        try draft.validate()
        if let expectedVersion, expectedVersion != current.version {
            throw ProblemError.preconditionFailed("The product changed since you read it (now version \(current.version)); reload it and apply your change again.")
        }
        let brandName = try await checkReferences(of: draft)
        var updated = Product(id: current.id, sku: draft.sku, slug: draft.slug, name: draft.name, description: draft.description, brand: draft.brand,
                              categoryIds: draft.categoryIds, price: draft.price, compareAtPrice: draft.compareAtPrice, images: draft.images,
                              attributes: draft.attributes, active: draft.active, featured: draft.featured, createdAt: current.createdAt,
                              updatedAt: now, version: current.version + 1)
        updated.searchTokens = SearchText.tokens(for: updated, brandName: brandName)
        guard ProductDraft(updated) != ProductDraft(current) else { return current }
        try await mongo.withTransaction { session in
            // Compare-and-set on the version: a concurrent change makes this match nothing.
            let result = try await products.replaceOne(["_id": .string(current.id), "version": .int64(Int64(current.version))], with: updated,
                                                       session: session)
            guard result.matchedCount == 1 else {
                throw ProblemError.preconditionFailed("The product was changed by someone else at the same time; reload it and try again.")
            }
            try await events.productChanged(from: current, to: updated, at: now, context: context, session: session)
        }
        events.committed()
        return updated
    }

    /// Withdraws a product from sale (soft delete): it stays stored, inactive, and
    /// `product.deleted` is published. Deleting an inactive product changes nothing.
    func deleteProduct(idOrSlug: String, expectedVersion: Int?, context: EventContext) async throws {
        _ = try await updateProduct(idOrSlug: idOrSlug, expectedVersion: expectedVersion, context: context) { draft in
            draft.active = false
        }
    }

    /// The brand's name; 400 naming the field when the brand or a category does not exist.
    private func checkReferences(of draft: ProductDraft) async throws -> String? {
        var validation = Validation()
        var brandName: String?
        if let brand = draft.brand {
            brandName = try await brands.findOne(["_id": .string(brand)])?.name
            validation.require(brandName != nil, "brand", "names no brand")
        }
        let known = try await categories.count(["_id": ["$in": .array(draft.categoryIds.map { .string($0) })]])
        validation.require(known == draft.categoryIds.count, "categoryIds", "names a category that does not exist")
        try validation.check()
        return brandName
    }

    // MARK: Categories

    func saveCategory(_ category: Category, isNew: Bool) async throws {
        let tree = CategoryTree(try await allCategories())
        if let parent = category.parentId {
            guard tree.category(idOrSlug: parent)?.id == parent else { throw ProblemError.validation([FieldError(field: "parentId", message: "names no category")]) }
            guard !tree.wouldCycle(id: category.id, parent: parent) else {
                throw ProblemError.validation([FieldError(field: "parentId", message: "would put the category below itself")])
            }
        }
        if isNew {
            try await categories.insertOne(category)
        } else {
            let result = try await categories.replaceOne(["_id": .string(category.id)], with: category)
            guard result.matchedCount == 1 else { throw ProblemError.notFound("No category with this id.") }
        }
    }

    /// Deletes an empty category: 409 while products or sub-categories still refer to it.
    func deleteCategory(id: String) async throws {
        guard try await products.count(["categoryIds": .string(id)]) == 0 else {
            throw ProblemError.conflict("The category still has products; move or delete them first.")
        }
        guard try await categories.count(["parentId": .string(id)]) == 0 else {
            throw ProblemError.conflict("The category still has sub-categories; move or delete them first.")
        }
        guard try await categories.deleteOne(["_id": .string(id)]) == 1 else { throw ProblemError.notFound("No category with this id.") }
    }

    // MARK: Brands

    /// Saves a brand; a new name is written into its products' search tokens in the same transaction.
    func saveBrand(_ brand: Brand, isNew: Bool) async throws {
        if isNew {
            try await brands.insertOne(brand)
            return
        }
        let branded = try await products.find(["brand": .string(brand.id)])
        try await mongo.withTransaction { session in
            let result = try await brands.replaceOne(["_id": .string(brand.id)], with: brand, session: session)
            guard result.matchedCount == 1 else { throw ProblemError.notFound("No brand with this id.") }
            for var product in branded {
                product.searchTokens = SearchText.tokens(for: product, brandName: brand.name)
                _ = try await products.updateOne(["_id": .string(product.id)],
                                                 update: ["$set": ["searchTokens": .array(product.searchTokens.map { .string($0) })]], session: session)
            }
        }
    }

    /// Appends every product's current state to the outbox again (see
    /// ``CatalogEvents/productRepublished(_:at:context:session:)``), `batchSize` products per
    /// transaction in id order; returns how many. Products changed meanwhile publish their newer
    /// version themselves, so consumers still end at the latest one.
    func republishAllProducts(batchSize: Int = 100, context: EventContext, now: Date = Date()) async throws -> Int {
        var after: String?
        var count = 0
        while true {
            let filter: BSONDocument = after.map { ["_id": ["$gt": .string($0)]] } ?? [:]
            let batch = try await products.find(filter, sort: ["_id": 1], limit: batchSize)
            guard let last = batch.last else { return count }
            try await mongo.withTransaction { session in
                for product in batch {
                    try await events.productRepublished(product, at: now, context: context, session: session)
                }
            }
            events.committed()
            count += batch.count
            after = last.id
        }
    }

    func deleteBrand(id: String) async throws {
        guard try await products.count(["brand": .string(id)]) == 0 else {
            throw ProblemError.conflict("The brand still has products; change or delete them first.")
        }
        guard try await brands.deleteOne(["_id": .string(id)]) == 1 else { throw ProblemError.notFound("No brand with this id.") }
    }
}

extension Product {
    /// What events say about the product.
    var snapshot: ProductSnapshot {
        ProductSnapshot(productId: id, sku: sku, slug: slug, name: name, imageUrl: images.first?.url, brandId: brand, categoryIds: categoryIds, price: price,
                        compareAtPrice: compareAtPrice, active: active, version: version)
    }
}
