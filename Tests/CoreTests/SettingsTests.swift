import BazaarCore
import BazaarTestSupport
import Testing

@Suite("Configuration")
struct SettingsTests {
    @Test("a missing required setting names the variable")
    func missingRequired() {
        #expect(throws: ConfigurationError(variable: "DATABASE_URL", problem: "is required but not set")) {
            try Settings([:]).requiredString("DATABASE_URL")
        }
    }

    @Test("a malformed integer names the variable and the value")
    func malformedInteger() {
        do {
            _ = try Settings(["PORT": "eighty"]).int("PORT", default: 80)
            Issue.record("expected a configuration error")
        } catch let error as ConfigurationError {
            #expect(error.variable == "PORT")
            #expect(error.description.contains("eighty"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the service host refuses to start with a malformed setting and names it")
    func hostRefusesBadSetting() {
        for (variable, value) in [("PORT", "70000"), ("LOG_LEVEL", "loud"), ("MAX_BODY_BYTES", "-1"), ("JWT_JWKS_URL", "ftp://x"),
                                  // CORS answers allow credentials: "*" would let any page act as the signed-in user.
                                  ("CORS_ALLOWED_ORIGINS", "*"), ("CORS_ALLOWED_ORIGINS", "https://shop.example, *"),
                                  ("CORS_ALLOWED_ORIGINS", "shop.example"), ("CORS_ALLOWED_ORIGINS", "https://shop.example/path")] {
            do {
                _ = try ServiceHost.testing([variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == variable)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("CORS origins with scheme, host and port are accepted")
    func corsOrigins() throws {
        let settings = try HTTPSettings.from(Settings(["CORS_ALLOWED_ORIGINS": "https://shop.example, http://localhost:8080"]), defaultPort: 80)
        #expect(settings.corsAllowedOrigins == ["https://shop.example", "http://localhost:8080"])
    }

    @Test("defaults apply when unset, values parse when set")
    func typedAccessors() throws {
        let settings = Settings(["FLAG": "yes", "LIST": " a, b ,,c ", "WAIT": "1.5", "BLANK": "  "])
        #expect(try settings.bool("FLAG", default: false))
        #expect(settings.list("LIST") == ["a", "b", "c"])
        #expect(try settings.seconds("WAIT", default: .zero) == .milliseconds(1500))
        #expect(settings.string("BLANK", default: "fallback") == "fallback")
        #expect(try settings.int("UNSET", default: 7) == 7)
    }

    @Test("an invalid URL error does not print the password it contains")
    func urlErrorRedactsPassword() {
        do {
            _ = try Settings(["DATABASE_URL": "mysql://user:hunter2@db/x"]).optionalURL("DATABASE_URL", schemes: ["postgres"])
            Issue.record("expected a configuration error")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("DATABASE_URL"))
        }
    }
}
