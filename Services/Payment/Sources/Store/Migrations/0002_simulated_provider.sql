-- The simulated payment provider's own records, in a schema of its own: it plays an external
-- system (as Stripe's test mode would), so its writes commit on their own, never inside the
-- payment service's transactions. A real provider keeps the same facts on its side.
CREATE SCHEMA payment_simulator;

-- One row per idempotency key: what the provider did for it and how often it was asked.
-- A repeated key answers with the stored outcome and never charges again.
CREATE TABLE payment_simulator.operations (
    idempotency_key   text PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('charge', 'refund')),
    reference         text NOT NULL UNIQUE,
    payment_id        text NOT NULL,
    order_id          text NOT NULL,
    amount_minor      bigint NOT NULL,
    currency          char(3) NOT NULL,
    payment_method    text NOT NULL,
    outcome           text NOT NULL CHECK (outcome IN ('succeeded', 'declined', 'pending', 'error')),
    failure_code      text,
    failure_message   text,
    calls             integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX simulator_operations_by_order ON payment_simulator.operations (order_id);

-- Webhooks the simulator owes the service (tok_slow), delivered when due and retried until answered 2xx.
CREATE TABLE payment_simulator.webhooks (
    event_id      text PRIMARY KEY,
    body          text NOT NULL,
    due_at        timestamptz NOT NULL,
    delivered_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE INDEX simulator_webhooks_due ON payment_simulator.webhooks (due_at) WHERE delivered_at IS NULL;
