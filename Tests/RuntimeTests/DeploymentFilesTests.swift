import BazaarContracts
import BazaarRuntime
import Foundation
import Testing

/// The deployment files generated from the service registry and the topic catalog are committed;
/// each must be exactly what its source generates today (`bazaar generate ...` regenerates it).
@Suite("Generated deployment files")
struct DeploymentFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func committed(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("infrastructure/gateway/kong.yml is what the service registry generates")
    func kong() throws {
        #expect(try Self.committed("infrastructure/gateway/kong.yml") == KongConfiguration(services: ServiceRegistry.all).yaml(),
                "regenerate: swift run bazaar generate kong > infrastructure/gateway/kong.yml")
    }

    @Test("infrastructure/storefront/nginx.conf is what the storefront's server configuration generates")
    func storefrontServer() throws {
        let committed = try Self.committed("infrastructure/storefront/nginx.conf")
        #expect(committed == StorefrontServerConfiguration.nginx(),
                "regenerate: swift run bazaar generate storefront-nginx > infrastructure/storefront/nginx.conf")
        #expect(committed.contains(GatewayConfiguration.storefrontContentSecurityPolicy.replacingOccurrences(of: "'", with: "\\'")),
                "the local gateway's policy")
        // Kong sends the storefront every path no API route owns, and answers the rest of /api/ itself.
        let kong = KongConfiguration(services: ServiceRegistry.all).yaml()
        #expect(kong.contains("url: http://storefront:\(StorefrontServerConfiguration.port)"))
        #expect(kong.contains("          - \"/api/\"\n"))
    }

    @Test("infrastructure/kafka/create-topics.sh creates what the topic catalog lists")
    func kafkaTopicsScript() throws {
        let script = try Self.committed("infrastructure/kafka/create-topics.sh")
        #expect(script == KafkaTopicFiles.creationScript(),
                "regenerate: swift run bazaar generate kafka-topics > infrastructure/kafka/create-topics.sh")
        for topic in TopicCatalog.all {
            #expect(script.contains("\ncreate \(topic.name) \(topic.partitions) "), "\(topic.name)")
        }
        #expect(script.contains("create catalog 6 \"--config cleanup.policy=compact"), "the catalog topic is compacted")
    }

    @Test("k8s/overlays/prod/kafka-topics.yaml declares what the topic catalog lists")
    func strimziTopics() throws {
        let resources = try Self.committed("k8s/overlays/prod/kafka-topics.yaml")
        #expect(resources == KafkaTopicFiles.strimziTopics(),
                "regenerate: swift run bazaar generate strimzi-topics > k8s/overlays/prod/kafka-topics.yaml")
        #expect(resources.components(separatedBy: "kind: KafkaTopic").count - 1 == TopicCatalog.all.count)
    }

    @Test("infrastructure/postgres/init-db.sql creates every service's role and database, passwords from the environment")
    func postgresInit() throws {
        let script = try Self.committed("infrastructure/postgres/init-db.sql")
        #expect(script == PostgresProvisioning.containerInitScript(),
                "regenerate: swift run bazaar generate postgres-init > infrastructure/postgres/init-db.sql")
        for service in ServiceRegistry.servicesWithDatabase() {
            #expect(script.contains("\\getenv \(service.name)_password \(service.databasePasswordEnvironmentKey)\n"))
            #expect(script.contains("CREATE DATABASE \"\(service.databaseName!)\" OWNER \"\(service.databaseRoleName)\""))
        }
        #expect(!script.contains("PASSWORD '"), "no password in the file")
    }

    @Test("k8s/base/services.yaml and secrets.template.yaml are what the service registry generates")
    func kubernetes() throws {
        #expect(try Self.committed("k8s/base/services.yaml") == KubernetesManifests.services(),
                "regenerate: swift run bazaar generate k8s-services > k8s/base/services.yaml")
        #expect(try Self.committed("k8s/base/secrets.template.yaml") == KubernetesManifests.secretTemplate(),
                "regenerate: swift run bazaar generate k8s-secret-template > k8s/base/secrets.template.yaml")
        for service in ServiceRegistry.all {
            #expect(try Self.committed("k8s/base/secrets.template.yaml").contains("  name: bazaar-\(service.name)\n"))
        }
    }

    @Test("the kustomizations' copies of infrastructure files are identical to them", arguments: [
        ("k8s/base/kong.yml", "infrastructure/gateway/kong.yml"),
        ("k8s/overlays/dev/create-topics.sh", "infrastructure/kafka/create-topics.sh"),
        ("k8s/overlays/dev/init-db.sql", "infrastructure/postgres/init-db.sql"),
        ("k8s/overlays/dev/init-mongo.js", "infrastructure/mongo/init-mongo.js"),
    ])
    func copies(copy: String, original: String) throws {
        #expect(try Self.committed(copy) == Self.committed(original), "cp \(original) \(copy)")
    }
}
