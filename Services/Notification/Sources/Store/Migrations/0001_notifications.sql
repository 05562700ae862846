-- The service's own copy of users, kept from user events (it never calls the user service).
CREATE TABLE known_users (
    user_id    text PRIMARY KEY,
    email      text NOT NULL,
    name       text NOT NULL,
    role       text NOT NULL,
    disabled   boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_users_admins ON known_users (user_id) WHERE role = 'admin' AND NOT disabled;

-- One row per email: written in the transaction that records the event in the inbox (so a
-- consumed event always has its emails), sent afterwards by the delivery worker. The unique key
-- makes one event give one email per recipient however often it is delivered.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    user_id         text,
    recipient       text NOT NULL,
    template        text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT deliveries_once_per_recipient UNIQUE (event_id, recipient)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_feed ON deliveries (user_id, created_at DESC);
CREATE INDEX deliveries_by_status ON deliveries (status, created_at DESC);
