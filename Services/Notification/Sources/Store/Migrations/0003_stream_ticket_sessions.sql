-- A stream ticket stands for the access token that asked for it: the stream it opens ends when
-- that token expires and is refused when that token would be (role changed, sessions ended,
-- session signed out), so the ticket keeps what those checks need.
ALTER TABLE stream_tickets
    ADD COLUMN role text NOT NULL DEFAULT 'customer',
    ADD COLUMN session_id text,
    ADD COLUMN token_issued_at timestamptz,
    ADD COLUMN token_expires_at timestamptz;
CREATE INDEX stream_tickets_unspent ON stream_tickets (user_id) WHERE used_at IS NULL;
