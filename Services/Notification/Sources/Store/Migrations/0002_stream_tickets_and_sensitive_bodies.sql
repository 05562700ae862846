-- Emails whose body holds a secret (the password-reset link): the body is blanked once the
-- email is sent, so the delivery log keeps no usable link.
ALTER TABLE deliveries ADD COLUMN sensitive boolean NOT NULL DEFAULT false;

-- Single-use, one-minute tickets that let a browser's EventSource (which cannot send an
-- Authorization header) open the live stream: only the SHA-256 of the ticket is kept.
CREATE TABLE stream_tickets (
    digest     bytea PRIMARY KEY,
    user_id    text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX stream_tickets_expiry ON stream_tickets (expires_at);
