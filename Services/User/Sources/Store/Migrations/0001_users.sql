-- Accounts. Emails are stored normalised (trimmed, lower-case) by the service; the unique index
-- makes a second registration of one mailbox fail even when two arrive at the same moment.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('customer', 'admin')),
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_at ON users (created_at DESC, id);
CREATE INDEX users_admins ON users (id) WHERE role = 'admin';

-- Refresh tokens, stored only as SHA-256 digests. Each sign-in starts a family; every refresh
-- spends its token and issues the next one in the same family. Presenting a spent token again
-- means it was copied, so the whole family is revoked.
CREATE TABLE refresh_tokens (
    token_digest bytea PRIMARY KEY,
    family_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    spent_at     timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_active ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- Single-use password-reset tokens (digests only), valid for a short time.
CREATE TABLE password_reset_tokens (
    token_digest bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id, created_at DESC);

-- Delivery addresses; at most one default per user.
CREATE TABLE addresses (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    line1       text NOT NULL,
    line2       text,
    city        text NOT NULL,
    postal_code text NOT NULL,
    country     char(2) NOT NULL,
    phone       text,
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user ON addresses (user_id, created_at);
CREATE UNIQUE INDEX addresses_one_default ON addresses (user_id) WHERE is_default;

-- Security events and administrator actions: who did what to whom, from where, when.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    action       text NOT NULL,
    actor_id     uuid,
    target_id    uuid,
    target_email text,
    ip_address   text,
    request_id   text,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_occurred ON audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target_id, occurred_at DESC);
