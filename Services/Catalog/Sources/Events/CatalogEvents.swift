import BazaarContracts
import BazaarMessaging
import BazaarMongo
import BazaarMongoMessaging
import Foundation

/// Every event the catalog service publishes, built here and nowhere else. Each function appends
/// its event to the outbox in `session`, the transaction that makes the change the event
/// describes; after the transaction commits, the writer calls ``committed()`` so the relay
/// publishes without waiting for its next poll.
///
/// The catalog service consumes no events.
struct CatalogEvents: Sendable {
    let outbox: MongoOutbox

    /// `product.created`: `product` was added (by an administrator or the demo seed).
    func productCreated(_ product: Product, at time: Date, context: EventContext, session: MongoSession) async throws {
        try await outbox.append(ProductCreated(product: product.snapshot, occurredAt: time), context: context, session: session)
    }

    /// `product.updated` for a change to `updated`, or `product.deleted` when the change withdrew
    /// a product that was on sale (products are withdrawn, never removed).
    func productChanged(from current: Product, to updated: Product, at time: Date, context: EventContext, session: MongoSession) async throws {
        if current.active && !updated.active {
            try await outbox.append(ProductDeleted(productId: updated.id, sku: updated.sku, version: updated.version, occurredAt: time),
                                    context: context, session: session)
        } else {
            try await outbox.append(ProductUpdated(product: updated.snapshot, occurredAt: time), context: context, session: session)
        }
    }

    /// The product's current state again, for consumers rebuilding a projection (`bazaar-catalog
    /// republish`): `product.updated` for a product on sale or paused, `product.deleted` for a
    /// withdrawn one — each at the product's current version, so a consumer that has it already
    /// changes nothing.
    func productRepublished(_ product: Product, at time: Date, context: EventContext, session: MongoSession) async throws {
        if product.active {
            try await outbox.append(ProductUpdated(product: product.snapshot, occurredAt: time), context: context, session: session)
        } else {
            try await outbox.append(ProductDeleted(productId: product.id, sku: product.sku, version: product.version, occurredAt: time),
                                    context: context, session: session)
        }
    }

    /// Tells the relay that a transaction with events committed.
    func committed() {
        outbox.notifyCommitted()
    }
}
