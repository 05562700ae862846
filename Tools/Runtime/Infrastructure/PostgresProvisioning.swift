import Foundation

/// Creates, idempotently, one login role and one database per Postgres-owning service: the role
/// owns its database, and other roles may not connect to it (no service reads another's store).
public enum PostgresProvisioning {
    /// `name` as a double-quoted SQL identifier.
    public static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` as a single-quoted SQL string literal (with `standard_conforming_strings`, the default).
    public static func quotedLiteral(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The SQL that brings roles and databases in line with `services`, given what already exists.
    /// Passwords are (re)set on every run so they always match the files in `secrets/`.
    public static func script(
        services: [ServiceDefinition],
        passwords: [String: String],
        existingRoles: Set<String>,
        existingDatabases: Set<String>
    ) -> String {
        var statements: [String] = []
        for service in ServiceRegistry.servicesWithDatabase(in: services) {
            guard let database = service.databaseName, let password = passwords[service.name] else { continue }
            let role = quotedIdentifier(service.databaseRoleName)
            let databaseIdentifier = quotedIdentifier(database)
            let verb = existingRoles.contains(service.databaseRoleName) ? "ALTER" : "CREATE"
            statements.append("\(verb) ROLE \(role) WITH LOGIN PASSWORD \(quotedLiteral(password));")
            if existingDatabases.contains(database) {
                statements.append("ALTER DATABASE \(databaseIdentifier) OWNER TO \(role);")
            } else {
                statements.append(createDatabase(database, owner: service.databaseRoleName))
            }
            statements.append(revokePublicAccess(to: database))
        }
        return statements.joined(separator: "\n") + "\n"
    }

    /// The first-start script of a Postgres container (`infrastructure/postgres/init-db.sql`, run by
    /// the official image from `/docker-entrypoint-initdb.d`): the same role and database per
    /// service, each password read from the container's environment (``ServiceListing/databasePasswordEnvironmentKey``)
    /// with psql's `\getenv`, so no password is in the file. `bazaar generate postgres-init` prints it.
    public static func containerInitScript(services: [ServiceDefinition] = ServiceRegistry.all) -> String {
        var lines = [
            "-- Generated from the service registry by `bazaar generate postgres-init`; do not edit.",
            "-- One login role and one database per service that owns one; the role owns its database and no",
            "-- other role may connect to it. Passwords come from the environment (docker-compose.yml, .env).",
            "\\set ON_ERROR_STOP on",
        ]
        for service in ServiceRegistry.servicesWithDatabase(in: services) {
            guard let database = service.databaseName else { continue }
            let variable = "\(service.name)_password"
            lines += [
                "",
                "\\getenv \(variable) \(service.databasePasswordEnvironmentKey)",
                "\\if :{?\(variable)}",
                "CREATE ROLE \(quotedIdentifier(service.databaseRoleName)) WITH LOGIN PASSWORD :'\(variable)';",
                createDatabase(database, owner: service.databaseRoleName),
                revokePublicAccess(to: database),
                "\\else",
                "DO $$ BEGIN RAISE EXCEPTION 'init-db: set \(service.databasePasswordEnvironmentKey), the password of \(service.databaseRoleName)'; END $$;",
                "\\endif",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A service's database, owned by its role: the same for the launcher's cluster and a container's.
    static func createDatabase(_ database: String, owner role: String) -> String {
        "CREATE DATABASE \(quotedIdentifier(database)) OWNER \(quotedIdentifier(role)) ENCODING 'UTF8' TEMPLATE template0;"
    }

    /// No role but the owner may connect to a service's database.
    static func revokePublicAccess(to database: String) -> String {
        "REVOKE ALL ON DATABASE \(quotedIdentifier(database)) FROM PUBLIC;"
    }

    /// Applies ``script(services:passwords:existingRoles:existingDatabases:)`` to the cluster with `psql`.
    /// The superuser password travels in `PGPASSWORD` and the script on standard input, never on a command line.
    static func provision(
        psql: String,
        port: Int,
        adminPassword: String,
        services: [ServiceDefinition],
        passwords: [String: String]
    ) async throws {
        let connection = [
            "--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set=ON_ERROR_STOP=1",
            "--host=127.0.0.1", "--port=\(port)",
            "--username=\(InfrastructureEnvironment.postgresAdminUser)", "--dbname=postgres",
        ]
        let environment = ["PGPASSWORD": adminPassword, "PGSSLMODE": "disable", "PGCONNECT_TIMEOUT": "10"]
        let inventory = try await CommandRunner.runChecked(
            psql, connection + ["--command=SELECT 'role ' || rolname FROM pg_roles UNION ALL SELECT 'database ' || datname FROM pg_database"],
            environment: environment, displayName: "psql (list roles and databases)"
        )
        var roles = Set<String>()
        var databases = Set<String>()
        for line in inventory.split(separator: "\n") {
            if line.hasPrefix("role ") { roles.insert(String(line.dropFirst("role ".count))) }
            if line.hasPrefix("database ") { databases.insert(String(line.dropFirst("database ".count))) }
        }
        let sql = script(services: services, passwords: passwords, existingRoles: roles, existingDatabases: databases)
        try await CommandRunner.runChecked(
            psql, connection + ["--file=-"], environment: environment, input: sql,
            displayName: "psql (create roles and databases)"
        )
    }
}
