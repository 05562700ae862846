CREATE TABLE gadgets (id bigint PRIMARY KEY);
ALTER TABLE widgets ADD COLUMN colour text;
INSERT INTO no_such_table VALUES (1);
