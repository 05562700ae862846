public import BazaarPostgres

/// The tables of the transactional outbox and the idempotent-consumer inbox.
///
/// A service that publishes events includes ``outbox`` in its migrations, one that consumes them
/// ``inbox``. Their versions sit far above any service's own (`9000xx`), so they never collide
/// with them.
public enum MessagingMigrations {
    /// Both tables, for a service that publishes and consumes.
    public static let all: [Migration] = outbox + inbox

    /// The outbox table and the trigger that wakes the relay when an event is committed.
    public static let outbox: [Migration] = [outboxTable, outboxNotification]

    /// The inbox table.
    public static let inbox: [Migration] = [inboxTable]

    static let outboxTable = Migration(version: 900_001, name: "bazaar_messaging_outbox", sql: """
        -- Events written in the same transaction as the state change they describe; the relay
        -- publishes them and marks them published after the broker acknowledged.
        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            event_id text NOT NULL UNIQUE,
            event_type text NOT NULL,
            topic text NOT NULL,
            message_key text NOT NULL,
            traceparent text,
            payload text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            last_error text
        );
        CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
        CREATE INDEX outbox_unpublished_keys ON outbox (topic, message_key, id) WHERE published_at IS NULL;
        CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
        """)

    /// Notifies `bazaar_outbox` once per statement that inserted events (delivered when the
    /// transaction commits, never when it rolls back, and once per transaction however many events
    /// it wrote), so writing an event costs one statement, not an insert and a `pg_notify`.
    static let outboxNotification = Migration(version: 900_003, name: "bazaar_messaging_outbox_notify", sql: """
        CREATE FUNCTION bazaar_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('bazaar_outbox', '');
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION bazaar_outbox_notify();
        """)

    static let inboxTable = Migration(version: 900_002, name: "bazaar_messaging_inbox", sql: """
        -- Events a consumer has applied, recorded in the same transaction as their effect, so a
        -- redelivered event is acknowledged without a second effect.
        CREATE TABLE inbox (
            consumer text NOT NULL,
            event_id text NOT NULL,
            event_type text NOT NULL,
            topic text NOT NULL,
            partition integer NOT NULL,
            message_offset bigint NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        );
        CREATE INDEX inbox_processed ON inbox (processed_at);
        """)
}
