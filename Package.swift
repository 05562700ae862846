// swift-tools-version: 6.1
import PackageDescription

/// Swift settings every target of ours shares: Swift 6 language mode is the package default;
/// warnings stay visible so none is left behind.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A service's three targets, declared alike for every service: the library `Bazaar<Name>`
/// (`Services/<Name>/Sources`; tests start the real service from it), the executable
/// `Bazaar<Name>Main` (`Services/<Name>/Main`, one line calling `<Name>Service.main()`) sold as
/// `product`, and the tests `Bazaar<Name>Tests` (`Services/<Name>/Tests`). Every library gets
/// BazaarCore and BazaarServiceDirectory, every test target the test support, HummingbirdTesting,
/// HTTPTypes and NIOCore; list only what the service adds.
func service(_ name: String, product: String, dependencies: [Target.Dependency], resources: [Resource] = [],
             testDependencies: [Target.Dependency] = [], testExclude: [String] = []) -> (product: Product, targets: [Target]) {
    let library = "Bazaar\(name)"
    return (.executable(name: product, targets: ["\(library)Main"]), [
        .target(name: library, dependencies: ["BazaarCore", "BazaarServiceDirectory"] + dependencies, path: "Services/\(name)/Sources",
                resources: resources, swiftSettings: strictSettings),
        .executableTarget(name: "\(library)Main", dependencies: [.target(name: library), "BazaarCore"], path: "Services/\(name)/Main",
                          swiftSettings: strictSettings),
        .testTarget(name: "\(library)Tests",
                    dependencies: [.target(name: library), "BazaarTestSupport", "BazaarCore",
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "HTTPTypes", package: "swift-http-types"),
                                   .product(name: "NIOCore", package: "swift-nio")] + testDependencies,
                    path: "Services/\(name)/Tests", exclude: testExclude, swiftSettings: strictSettings),
    ])
}

/// The services, in the order of `ServiceDirectory` (add a new one here and there).
let services = [
    service("User", product: "bazaar-user",
            dependencies: ["BazaarCommerce", "BazaarPostgres", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarRedis", "BazaarContracts",
                           .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"), .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOPosix", package: "swift-nio")],
            resources: [.copy("Resources/openapi.json"), .copy("Store/Migrations")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarRedis",
                               .product(name: "NIOPosix", package: "swift-nio"), .product(name: "JWTKit", package: "jwt-kit"),
                               .product(name: "PostgresNIO", package: "postgres-nio")],
            testExclude: ["Fixtures"]),
    service("Catalog", product: "bazaar-catalog",
            dependencies: ["BazaarMongo", "BazaarMongoMessaging", "BazaarMessaging", "BazaarRedis", "BazaarContracts",
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Resources/openapi.json")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarRedis", "BazaarMongo"]),
    service("Inventory", product: "bazaar-inventory",
            dependencies: ["BazaarPostgres", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarContracts",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            resources: [.copy("Resources/openapi.json"), .copy("Store/Migrations")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarMessaging", "BazaarPostgres",
                               .product(name: "PostgresNIO", package: "postgres-nio")]),
    service("Cart", product: "bazaar-cart",
            dependencies: ["BazaarCommerce", "BazaarRedis", "BazaarRedisMessaging", "BazaarMessaging", "BazaarKafka", "BazaarContracts",
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            resources: [.copy("Resources/openapi.json")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarRedis", "BazaarRedisMessaging", "BazaarMessaging"]),
    service("Order", product: "bazaar-order",
            dependencies: ["BazaarCommerce", "BazaarPostgres", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarContracts",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            resources: [.copy("Resources/openapi.json"), .copy("Store/Migrations")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarCommerce", "BazaarMessaging", "BazaarPostgres",
                               .product(name: "PostgresNIO", package: "postgres-nio")]),
    service("Payment", product: "bazaar-payment",
            dependencies: ["BazaarPostgres", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarContracts",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"), .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            resources: [.copy("Resources/openapi.json"), .copy("Store/Migrations")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarMessaging", "BazaarPostgres",
                               .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Crypto", package: "swift-crypto")]),
    service("Notification", product: "bazaar-notification",
            dependencies: ["BazaarPostgres", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarContracts", "BazaarMail", "BazaarKafka",
                           .product(name: "Mustache", package: "swift-mustache"), .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Metrics", package: "swift-metrics"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/Templates"), .copy("Store/Migrations")],
            testDependencies: ["BazaarKafka", "BazaarContracts", "BazaarMessaging", "BazaarPostgresMessaging", "BazaarMail", "BazaarPostgres",
                               .product(name: "PostgresNIO", package: "postgres-nio")]),
]

let package = Package(
    name: "Bazaar",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BazaarServiceDirectory", targets: ["BazaarServiceDirectory"]),
        .library(name: "BazaarCore", targets: ["BazaarCore"]),
        .library(name: "BazaarPostgres", targets: ["BazaarPostgres"]),
        .library(name: "BazaarContracts", targets: ["BazaarContracts"]),
        .library(name: "BazaarKafka", targets: ["BazaarKafka"]),
        .library(name: "BazaarMessaging", targets: ["BazaarMessaging"]),
        .library(name: "BazaarPostgresMessaging", targets: ["BazaarPostgresMessaging"]),
        .library(name: "BazaarRedis", targets: ["BazaarRedis"]),
        .library(name: "BazaarMongo", targets: ["BazaarMongo"]),
        .library(name: "BazaarMongoMessaging", targets: ["BazaarMongoMessaging"]),
        .library(name: "BazaarMail", targets: ["BazaarMail"]),
        .library(name: "BazaarCommerce", targets: ["BazaarCommerce"]),
        .library(name: "BazaarRedisMessaging", targets: ["BazaarRedisMessaging"]),
        .executable(name: "bazaar", targets: ["BazaarLauncher"]),
        .executable(name: "bazaar-broker", targets: ["BazaarBroker"]),
        .executable(name: "bazaar-kafka-benchmark", targets: ["BazaarKafkaBenchmark"]),
        .executable(name: "bazaar-redis-benchmark", targets: ["BazaarRedisBenchmark"]),
        .executable(name: "bazaar-mongo-benchmark", targets: ["BazaarMongoBenchmark"]),
        .executable(name: "bazaar-consumer-benchmark", targets: ["BazaarConsumerBenchmark"]),
        .executable(name: "bazaar-floor-server", targets: ["BazaarFloorServer"]),
        .executable(name: "bazaar-gateway-health", targets: ["BazaarGatewayHealth"]),
    ] + services.map(\.product),
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Already in the graph through Hummingbird; named here because our middleware uses HTTPField names.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the graph through Hummingbird; named here for the client's socket address.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Already in the graph through postgres-nio; named here to configure TLS from `sslmode`.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // bcrypt for the user service's password hashes.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // Email templates of the notification service.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Already in the graph through jwt-kit; named here for SHA-256 and secure random tokens.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Every service's name, port, executable, databases and routes, written once: read by the
        // services (through BazaarCore's `BazaarService`) and by the launcher, which links no service.
        .target(
            name: "BazaarServiceDirectory",
            path: "Shared/ServiceDirectory",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarCore",
            dependencies: [
                "BazaarServiceDirectory",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Shared/Core",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarPostgres",
            dependencies: [
                "BazaarCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Postgres",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarContracts",
            dependencies: [],
            path: "Shared/Contracts",
            exclude: ["Published"],
            swiftSettings: strictSettings
        ),
        // Commerce rules every service that prices or ships applies alike (cart, order; the user
        // service's address book): pricing, VAT, shipping, postal addresses.
        .target(
            name: "BazaarCommerce",
            dependencies: ["BazaarCore", "BazaarContracts"],
            path: "Shared/Commerce",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarCommerceTests",
            dependencies: ["BazaarCommerce", "BazaarContracts", "BazaarCore"],
            path: "Tests/CommerceTests",
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "CRdKafka",
            path: "Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "BazaarKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Kafka",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarMessaging",
            dependencies: ["BazaarCore", "BazaarKafka", "BazaarContracts"],
            path: "Shared/Messaging",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarPostgresMessaging",
            dependencies: ["BazaarCore", "BazaarPostgres", "BazaarKafka", "BazaarMessaging", "BazaarContracts",
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Shared/PostgresMessaging",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarBroker",
            dependencies: [
                "CRdKafka",
                "BazaarContracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/Broker",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarBenchmarkSupport",
            path: "Tools/Benchmarks/Support",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarKafkaBenchmark",
            dependencies: [
                "BazaarBenchmarkSupport",
                "BazaarKafka",
                "CRdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/Benchmarks/KafkaBenchmark",
            swiftSettings: strictSettings
        ),
        // No pkgConfig: hiredis' .pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses with a
        // warning; its headers are in /usr/include (<hiredis/hiredis.h>) and the module map links it.
        .systemLibrary(
            name: "CHiredis",
            path: "Shared/CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(
            name: "BazaarRedis",
            dependencies: [
                "CHiredis",
                "BazaarCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Redis",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarRedisMessaging",
            dependencies: ["BazaarCore", "BazaarRedis", "BazaarKafka", "BazaarMessaging", "BazaarContracts",
                           .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Shared/RedisMessaging",
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "CMongoc",
            path: "Shared/CMongoc",
            pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev"])]
        ),
        .target(
            name: "BazaarMongo",
            dependencies: [
                "CMongoc",
                "BazaarCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Mongo",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarMongoMessaging",
            dependencies: ["BazaarCore", "BazaarMongo", "BazaarKafka", "BazaarMessaging", "BazaarContracts",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Shared/MongoMessaging",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarMongoMessagingTests",
            dependencies: ["BazaarMongoMessaging", "BazaarTestSupport", "BazaarMongo", "BazaarKafka", "BazaarContracts", "BazaarMessaging",
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/MongoMessagingTests",
            swiftSettings: strictSettings
        ),
        // libcurl (Debian libcurl4-openssl-dev) for SMTP: a C shim around its variadic calls.
        .target(
            name: "CCurlShim",
            path: "Shared/CCurlShim",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "BazaarMail",
            dependencies: [
                "BazaarCore", "CCurlShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/Mail",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarMailTests",
            dependencies: ["BazaarMail", "BazaarTestSupport", "BazaarCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/MailTests",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarRedisBenchmark",
            dependencies: ["BazaarRedis", "BazaarBenchmarkSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/Benchmarks/RedisBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarMongoBenchmark",
            dependencies: ["BazaarMongo", "BazaarBenchmarkSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/Benchmarks/MongoBenchmark",
            exclude: ["pymongo_benchmark.py"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarConsumerBenchmark",
            dependencies: ["BazaarMessaging", "BazaarPostgresMessaging", "BazaarPostgres", "BazaarKafka", "BazaarContracts", "BazaarCore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tools/Benchmarks/ConsumerBenchmark",
            exclude: ["run.sh"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarFloorServer",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Tools/Benchmarks/FloorServer",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarRuntime",
            dependencies: ["BazaarServiceDirectory", "BazaarContracts"],
            path: "Tools/Runtime",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "BazaarLauncher",
            dependencies: [
                "BazaarRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/Bazaar",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BazaarTestSupport",
            dependencies: [
                "BazaarCore",
                "BazaarContracts",
                "BazaarMessaging",
                "BazaarPostgres",
                "BazaarKafka",
                "BazaarMongo",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarCoreTests",
            dependencies: [
                "BazaarCore", "BazaarTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CoreTests",
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarPostgresTests",
            dependencies: ["BazaarPostgres", "BazaarTestSupport"],
            path: "Tests/PostgresTests",
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarContractsTests",
            dependencies: ["BazaarContracts", "BazaarTestSupport"],
            path: "Tests/ContractsTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarKafkaTests",
            dependencies: ["BazaarKafka", "BazaarContracts", "BazaarCore", "BazaarTestSupport", "CRdKafka",
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/KafkaTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarMessagingTests",
            dependencies: ["BazaarMessaging", "BazaarPostgresMessaging", "BazaarRedisMessaging", "BazaarRedis", "BazaarTestSupport", "BazaarCore",
                           "BazaarContracts", "BazaarKafka", "BazaarPostgres", .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/MessagingTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarRedisTests",
            dependencies: [
                "BazaarRedis", "BazaarTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/RedisTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarMongoTests",
            dependencies: ["BazaarMongo", "BazaarTestSupport"],
            path: "Tests/MongoTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarRuntimeTests",
            dependencies: ["BazaarRuntime", "BazaarTestSupport", "BazaarContracts"],
            path: "Tests/RuntimeTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BazaarTestSupportTests",
            dependencies: ["BazaarTestSupport", "BazaarCore", "BazaarServiceDirectory", "BazaarPostgres",
                           .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/SupportTests",
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        // The local gateway's GET /health: every started service's readiness (nginx-light cannot script it).
        .executableTarget(
            name: "BazaarGatewayHealth",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/GatewayHealth",
            swiftSettings: strictSettings
        ),
    ] + services.flatMap(\.targets)
)
