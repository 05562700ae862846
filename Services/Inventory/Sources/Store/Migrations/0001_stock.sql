-- Stock per SKU. The CHECK constraints hold the invariants whatever the code does: never less
-- than nothing on the shelf or held, never more held than on the shelf.
CREATE TABLE stock_items (
    sku                 text PRIMARY KEY,
    product_id          text NOT NULL,
    on_hand             integer NOT NULL CHECK (on_hand >= 0),
    reserved            integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_stock_threshold integer NOT NULL DEFAULT 10 CHECK (low_stock_threshold >= 0),
    -- false once the catalog deleted the product: nothing more can be reserved
    sellable            boolean NOT NULL DEFAULT true,
    -- stock.low was announced for the current stretch at or below the threshold
    low_alerted         boolean NOT NULL DEFAULT false,
    -- the catalog's product version last applied (events may arrive out of order)
    product_version     bigint NOT NULL DEFAULT 0,
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
);
CREATE INDEX stock_items_product ON stock_items (product_id);

-- Every change to a SKU's stock: who, when, why, before and after.
CREATE TABLE stock_ledger (
    id              bigserial PRIMARY KEY,
    sku             text NOT NULL REFERENCES stock_items (sku),
    kind            text NOT NULL CHECK (kind IN ('initial', 'set', 'adjustment')),
    delta           integer NOT NULL,
    reason          text NOT NULL,
    actor           text NOT NULL,
    on_hand_before  integer NOT NULL,
    on_hand_after   integer NOT NULL,
    reserved_before integer NOT NULL,
    reserved_after  integer NOT NULL,
    request_id      text,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_ledger_sku ON stock_ledger (sku, id DESC);
