-- Payments: one per order (the UNIQUE order_id is what makes a second charge impossible,
-- whichever replica or redelivery tries). Card data is never stored: the payment method token,
-- the brand and the last four digits only.
CREATE TABLE payments (
    payment_id          text PRIMARY KEY,
    order_id            text NOT NULL UNIQUE,
    user_id             text NOT NULL,
    amount_minor        bigint NOT NULL CHECK (amount_minor >= 0),
    currency            char(3) NOT NULL,
    payment_method      text NOT NULL,
    card_brand          text,
    card_last4          char(4),
    -- processing: the provider is (or will be) asked; awaiting_provider: it answers by webhook;
    -- captured and failed are final.
    status              text NOT NULL CHECK (status IN ('processing', 'awaiting_provider', 'captured', 'failed')),
    -- sent to the provider with every attempt, so a retry (after a crash, by another replica)
    -- can never charge twice
    idempotency_key     text NOT NULL UNIQUE,
    provider_reference  text,
    failure_code        text,
    failure_message     text,
    captured_minor      bigint NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
    refunded_minor      bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    -- a worker holds the payment until then while it talks to the provider
    lease_until         timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_refunds_within_capture CHECK (refunded_minor <= captured_minor)
);
CREATE INDEX payments_by_user ON payments (user_id, created_at DESC, payment_id DESC);
CREATE INDEX payments_by_status ON payments (status, created_at DESC, payment_id DESC);
CREATE INDEX payments_due ON payments (next_attempt_at) WHERE status = 'processing';

-- Refunds: for a cancelled order (the whole amount still captured) or an administrator's
-- partial refund. The sum of refunds that did not fail never exceeds the capture: refunds are
-- created under the payment's row lock.
CREATE TABLE refunds (
    refund_id           text PRIMARY KEY,
    payment_id          text NOT NULL REFERENCES payments (payment_id),
    order_id            text NOT NULL,
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    currency            char(3) NOT NULL,
    cause               text NOT NULL CHECK (cause IN ('order_cancelled', 'admin')),
    reason              text NOT NULL,
    requested_by        text NOT NULL,
    -- the administrator's Idempotency-Key and a digest of the request it came with
    request_key         text,
    request_digest      text,
    status              text NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed')),
    idempotency_key     text NOT NULL UNIQUE,
    provider_reference  text,
    failure_code        text,
    failure_message     text,
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    lease_until         timestamptz,
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payment_id, request_key)
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at);
CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status = 'processing';

-- The ledger: every change to a payment's money or state, appended and never changed. The
-- trigger refuses UPDATE, DELETE and TRUNCATE whoever asks (the owner and superusers included).
CREATE TABLE ledger (
    entry_id        bigserial PRIMARY KEY,
    payment_id      text NOT NULL REFERENCES payments (payment_id),
    order_id        text NOT NULL,
    refund_id       text,
    kind            text NOT NULL CHECK (kind IN ('created', 'attempt_failed', 'awaiting_provider', 'captured', 'failed',
                                                  'refund_requested', 'refunded', 'refund_failed')),
    -- signed minor units: + money taken, - money given back, 0 for a change of state
    amount_minor    bigint NOT NULL,
    currency        char(3) NOT NULL,
    detail          text,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_by_order ON ledger (order_id, entry_id);

CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the payment ledger is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER ledger_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON ledger FROM PUBLIC;

-- What the payment service learnt of each order's outcome from the order service's events:
-- `confirmed` (the money is kept) or `cancelled` (every captured cent goes back). Reconciliation
-- compares the money with it.
CREATE TABLE order_outcomes (
    order_id    text PRIMARY KEY,
    outcome     text NOT NULL CHECK (outcome IN ('confirmed', 'cancelled')),
    event_id    text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Provider webhook events already applied (a replayed event id changes nothing).
CREATE TABLE webhook_events (
    event_id    text PRIMARY KEY,
    event_type  text NOT NULL,
    payment_id  text,
    received_at timestamptz NOT NULL DEFAULT now()
);
