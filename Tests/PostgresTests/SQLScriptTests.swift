@testable import BazaarPostgres
import Testing

@Suite("Splitting migration scripts into statements")
struct SQLScriptTests {
    @Test("semicolons end statements only outside strings, identifiers, dollar quotes and comments")
    func splitting() {
        let script = """
            -- leading comment; not a statement
            CREATE TABLE "odd;name" (x text DEFAULT 'a;b', y text DEFAULT E'it\\'s;');
            /* block; /* nested; */ still comment; */
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            DO $tag$ BEGIN PERFORM 1; END $tag$;
            SELECT $1::int;
            ;;
            -- trailing comment only
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasPrefix("-- leading comment; not a statement\nCREATE TABLE \"odd;name\""))
        #expect(statements[0].hasSuffix("DEFAULT E'it\\'s;')"))
        #expect(statements[1].contains("$$ SELECT 1; $$ LANGUAGE sql"))
        #expect(statements[2] == "DO $tag$ BEGIN PERFORM 1; END $tag$")
        #expect(statements[3] == "SELECT $1::int")
    }

    @Test("a script of comments and blanks has no statements")
    func emptyScript() {
        #expect(SQLScript.statements(in: "  -- nothing\n/* still nothing */\n ; ").isEmpty)
    }
}
