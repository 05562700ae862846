-- Stock held for orders. One row per order, whatever happens to it (the primary key makes a
-- redelivered or duplicate order.placed find the first answer instead of reserving twice).
CREATE TABLE reservations (
    order_id       text PRIMARY KEY,
    reservation_id text NOT NULL UNIQUE,
    status         text NOT NULL CHECK (status IN ('held', 'committed', 'released', 'rejected')),
    shortages      jsonb NOT NULL DEFAULT '[]',
    expires_at     timestamptz,
    release_reason text CHECK (release_reason IN ('order_cancelled', 'expired')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reservations_held_expire CHECK (status <> 'held' OR expires_at IS NOT NULL)
);
CREATE INDEX reservations_expiring ON reservations (expires_at) WHERE status = 'held';

CREATE TABLE reservation_lines (
    order_id text NOT NULL REFERENCES reservations (order_id),
    sku      text NOT NULL REFERENCES stock_items (sku),
    quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX reservation_lines_sku ON reservation_lines (sku);

-- Reservations move stock too, and the ledger says so.
ALTER TABLE stock_ledger DROP CONSTRAINT stock_ledger_kind_check;
ALTER TABLE stock_ledger ADD CONSTRAINT stock_ledger_kind_check
    CHECK (kind IN ('initial', 'set', 'adjustment', 'reserve', 'commit', 'release', 'restock'));
