import ArgumentParser
import BazaarRuntime

/// `bazaar generate`: the deployment files generated from the service registry and the topic
/// catalog. Each is committed; a test fails when a committed file and its source differ.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print a deployment file generated from the service registry or the topic catalog.",
        discussion: """
            swift run bazaar generate kong > infrastructure/gateway/kong.yml   (and k8s/base/kong.yml)
            swift run bazaar generate k8s-services > k8s/base/services.yaml
            swift run bazaar generate k8s-secret-template > k8s/base/secrets.template.yaml
            swift run bazaar generate kafka-topics > infrastructure/kafka/create-topics.sh
            swift run bazaar generate strimzi-topics > k8s/overlays/prod/kafka-topics.yaml
            swift run bazaar generate postgres-init > infrastructure/postgres/init-db.sql
            swift run bazaar generate storefront-nginx > infrastructure/storefront/nginx.conf
            """,
        subcommands: [Kong.self, KafkaTopics.self, StrimziTopics.self, PostgresInit.self, KubernetesServices.self, KubernetesSecretTemplate.self,
                      StorefrontNginx.self]
    )

    struct Kong: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kong's DB-less configuration for Docker Compose and Kubernetes (infrastructure/gateway/kong.yml).")

        func run() { print(KongConfiguration(services: ServiceRegistry.all).yaml(), terminator: "") }
    }

    struct KafkaTopics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kafka-topics", abstract: "The script creating every topic on a real Kafka (infrastructure/kafka/create-topics.sh).")

        func run() { print(KafkaTopicFiles.creationScript(), terminator: "") }
    }

    struct StrimziTopics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "strimzi-topics", abstract: "Strimzi KafkaTopic resources for the production overlay (k8s/overlays/prod/kafka-topics.yaml).")

        func run() { print(KafkaTopicFiles.strimziTopics(), terminator: "") }
    }

    struct PostgresInit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "postgres-init", abstract: "The Postgres container's first-start script (infrastructure/postgres/init-db.sql).")

        func run() { print(PostgresProvisioning.containerInitScript(), terminator: "") }
    }

    struct KubernetesServices: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "k8s-services", abstract: "Every service's Kubernetes resources (k8s/base/services.yaml).")

        func run() { print(KubernetesManifests.services(), terminator: "") }
    }

    struct KubernetesSecretTemplate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "k8s-secret-template", abstract: "The Secrets every service needs, without values (k8s/base/secrets.template.yaml).")

        func run() { print(KubernetesManifests.secretTemplate(), terminator: "") }
    }

    struct StorefrontNginx: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "storefront-nginx", abstract: "The storefront container's nginx server (infrastructure/storefront/nginx.conf).")

        func run() { print(StorefrontServerConfiguration.nginx(), terminator: "") }
    }
}
