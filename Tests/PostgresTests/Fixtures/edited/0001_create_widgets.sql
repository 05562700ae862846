-- Widgets; a comment with a semicolon; it must not split the statement.
CREATE TABLE widgets (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    note text DEFAULT 'it''s; fine'
);

CREATE INDEX widgets_name ON widgets (name, id);
