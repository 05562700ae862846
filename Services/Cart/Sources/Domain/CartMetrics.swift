import Metrics

/// The cart's business counters in `/metrics`. Cart abandonment over a window is
/// `1 - increase(cart_checkouts_accepted_total) / increase(cart_carts_created_total)`.
struct CartMetrics: Sendable {
    /// Carts started: each time a cart (new, or emptied by a checkout) gets its first line.
    let cartsCreated: Counter
    /// Units added to carts.
    let itemsAdded: Counter
    /// Checkout requests that passed validation (replays of an accepted one included).
    let checkoutsStarted: Counter
    /// Checkouts accepted (202; replays not counted again).
    let checkoutsAccepted: Counter

    init(factory: any MetricsFactory) {
        cartsCreated = Counter(label: "cart_carts_created_total", factory: factory)
        itemsAdded = Counter(label: "cart_items_added_total", factory: factory)
        checkoutsStarted = Counter(label: "cart_checkouts_started_total", factory: factory)
        checkoutsAccepted = Counter(label: "cart_checkouts_accepted_total", factory: factory)
    }
}
