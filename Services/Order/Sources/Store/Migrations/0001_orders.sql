-- Orders. The whole order (lines, totals, address, payment, history) is one JSON document the
-- service reads and writes as a value; the columns beside it are what lists filter and sort on
-- and what the payment-deadline sweep looks for. `version` is bumped by every saved change.
CREATE TABLE orders (
    order_id     text PRIMARY KEY,
    user_id      text NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'awaiting_payment', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    currency     char(3) NOT NULL,
    total_minor  bigint NOT NULL CHECK (total_minor >= 0),
    placed_at    timestamptz NOT NULL,
    pay_by       timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    document     jsonb NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, placed_at DESC, order_id DESC);
CREATE INDEX orders_by_status ON orders (status, placed_at DESC, order_id DESC);
CREATE INDEX orders_awaiting_deadline ON orders (pay_by) WHERE status IN ('pending', 'awaiting_payment');
