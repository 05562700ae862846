/* A function with a dollar-quoted body full of semicolons. */
CREATE TABLE widget_audit (widget_id bigint NOT NULL, action text NOT NULL);

CREATE FUNCTION widget_audit_insert() RETURNS trigger AS $body$
BEGIN
    INSERT INTO widget_audit (widget_id, action) VALUES (NEW.id, 'created');
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER widgets_audit AFTER INSERT ON widgets FOR EACH ROW EXECUTE FUNCTION widget_audit_insert();
