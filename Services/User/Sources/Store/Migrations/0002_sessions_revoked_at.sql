-- When every sign-in session of the account was last ended (password changed or reset, account
-- disabled): access tokens issued before it are refused, here at once and elsewhere through the
-- user.updated event that carries it.
ALTER TABLE users ADD COLUMN sessions_revoked_at timestamptz;
