// swift-tools-version: 6.1
import PackageDescription

// The core (`Sessions`) depends on no package. Integrations live in targets whose package
// products are conditioned on a trait that is off by default, so `swift build` with no trait
// fetches nothing. Each integration's sources are wrapped in `#if TraitName` (traits are
// package-wide compile conditions), and `scripts/test` builds every trait leg in its own
// scratch folder so a module left over from another leg cannot hide a missing guard.
// The adapters log the core's events through SessionsLogging: the traits Hummingbird and Vapor
// turn its trait, Logging, on.
let logging: [Target.Dependency] = [
    .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Logging"])),
]

let hummingbird: [Target.Dependency] = [
    .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
    .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Hummingbird"])),
    .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Hummingbird"])),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Hummingbird"])),
]

let postgres: [Target.Dependency] = [
    .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
    .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Postgres"])),
]

let vapor: [Target.Dependency] = [
    .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
]

let metrics: [Target.Dependency] = [
    .product(name: "Metrics", package: "swift-metrics", condition: .when(traits: ["Metrics"])),
]

// The demo and its tests also run on PostgreSQL when the Postgres trait is on: an optional
// dependency, so each file that imports it does so inside `#if Postgres`.
let optionalPostgres: Target.Dependency = .target(name: "SessionsPostgres", condition: .when(traits: ["Postgres"]))

let package = Package(
    name: "Sessions",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Sessions", targets: ["Sessions"]),
        .library(name: "SessionsConformance", targets: ["SessionsConformance"]),
        .library(name: "SessionsLogging", targets: ["SessionsLogging"]),
        .library(name: "SessionsHummingbird", targets: ["SessionsHummingbird"]),
        .library(name: "SessionsHummingbirdTesting", targets: ["SessionsHummingbirdTesting"]),
        .library(name: "SessionsVapor", targets: ["SessionsVapor"]),
        .library(name: "SessionsVaporTesting", targets: ["SessionsVaporTesting"]),
        .library(name: "SessionsPostgres", targets: ["SessionsPostgres"]),
        .library(name: "SessionsMetrics", targets: ["SessionsMetrics"]),
        .executable(name: "sessions-postgres", targets: ["SessionsPostgresAdmin"]),
        .executable(name: "sessions-demo", targets: ["SessionsDemo"]),
        .executable(name: "sessions-vapor-demo", targets: ["SessionsVaporDemo"]),
        .executable(name: "sessions-stress-tool", targets: ["SessionsStressTool"]),
    ],
    traits: [
        .trait(name: "Logging", description: "The core's session events logged through swift-log (SessionsLogging)."),
        .trait(
            name: "Hummingbird", description: "The Hummingbird 2 integration (SessionsHummingbird) and the demo app.",
            enabledTraits: ["Logging"]
        ),
        .trait(name: "Vapor", description: "The Vapor 4 integration (SessionsVapor) and its demo app.", enabledTraits: ["Logging"]),
        .trait(name: "Postgres", description: "The PostgreSQL driver (SessionsPostgres, driver name `database`) on postgres-nio."),
        .trait(name: "Metrics", description: "Session counters and store timings (SessionsMetrics) on swift-metrics."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .target(name: "Sessions"),
        .target(name: "SessionsConformance", dependencies: ["Sessions"]),
        // Drives the file driver from separate OS processes in the concurrency and crash tests.
        .executableTarget(name: "SessionsStressTool", dependencies: ["Sessions"], path: "Sources/SessionsStressTool"),
        .target(name: "SessionsLogging", dependencies: ["Sessions"] + logging),
        .target(name: "SessionsHummingbird", dependencies: ["Sessions", "SessionsLogging"] + hummingbird),
        // Helpers for apps' own tests: seed a session, read the one a response left.
        .target(
            name: "SessionsHummingbirdTesting",
            dependencies: [
                "Sessions", "SessionsHummingbird",
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ] + hummingbird
        ),
        .target(name: "SessionsVapor", dependencies: ["Sessions", "SessionsLogging"] + vapor),
        .target(
            name: "SessionsVaporTesting",
            dependencies: [
                "Sessions", "SessionsVapor",
                .product(name: "VaporTesting", package: "vapor", condition: .when(traits: ["Vapor"])),
            ] + vapor
        ),
        .target(name: "SessionsPostgres", dependencies: ["Sessions"] + postgres, exclude: ["sessions.sql"]),
        .target(name: "SessionsMetrics", dependencies: ["Sessions"] + metrics),
        .executableTarget(
            name: "SessionsPostgresAdmin",
            dependencies: [
                "Sessions", "SessionsPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser", condition: .when(traits: ["Postgres"])),
            ] + postgres
        ),
        // What both demos share: pages and texts, the counting driver, the session manager.
        .target(
            name: "SessionsDemoShared",
            dependencies: ["Sessions", "SessionsLogging", optionalPostgres] + logging,
            path: "Examples/SessionsDemoShared"
        ),
        .target(
            name: "SessionsDemoApp",
            dependencies: ["Sessions", "SessionsHummingbird", "SessionsDemoShared"] + hummingbird,
            path: "Examples/SessionsDemoApp"
        ),
        .target(
            name: "SessionsVaporDemoApp",
            dependencies: ["Sessions", "SessionsVapor", "SessionsDemoShared"] + vapor,
            path: "Examples/SessionsVaporDemoApp"
        ),
        .executableTarget(
            name: "SessionsVaporDemo",
            dependencies: ["SessionsVaporDemoApp"] + vapor,
            path: "Examples/SessionsVaporDemo"
        ),
        .executableTarget(
            name: "SessionsDemo",
            dependencies: ["SessionsDemoApp"] + hummingbird,
            path: "Examples/SessionsDemo"
        ),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "SessionsConformance", "SessionsStressTool"]),
        .testTarget(
            name: "SessionsHummingbirdTests",
            dependencies: [
                "Sessions", "SessionsConformance", "SessionsHummingbird", "SessionsHummingbirdTesting", "SessionsDemoApp",
                "SessionsDemoShared", "SessionsAdapterTestSupport",
                // The demo tests also run against the Vapor demo when the Vapor trait is on.
                .target(name: "SessionsVaporDemoApp", condition: .when(traits: ["Vapor"])),
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
                optionalPostgres, .target(name: "SessionsPostgresTestSupport", condition: .when(traits: ["Postgres"])),
            ] + hummingbird
        ),
        // Test doubles the adapters' tests share (failing stores, a log handler keeping its lines).
        .target(name: "SessionsAdapterTestSupport", dependencies: ["Sessions"] + logging, path: "Tests/SessionsAdapterTestSupport"),
        // The PostgreSQL tests' database (the URL they are given) and clusters of their own.
        .target(
            name: "SessionsPostgresTestSupport",
            dependencies: ["Sessions", "SessionsPostgres"] + postgres,
            path: "Tests/SessionsPostgresTestSupport"
        ),
        .testTarget(
            name: "SessionsPostgresTests",
            dependencies: ["Sessions", "SessionsConformance", "SessionsPostgres", "SessionsPostgresAdmin", "SessionsPostgresTestSupport"] + postgres
        ),
        .testTarget(
            name: "SessionsVaporTests",
            dependencies: [
                "Sessions", "SessionsVapor", "SessionsVaporTesting", "SessionsAdapterTestSupport",
                .product(name: "VaporTesting", package: "vapor", condition: .when(traits: ["Vapor"])),
            ] + vapor
        ),
        .testTarget(
            name: "SessionsMetricsTests",
            dependencies: [
                "Sessions", "SessionsMetrics",
                .product(name: "MetricsTestKit", package: "swift-metrics", condition: .when(traits: ["Metrics"])),
            ] + metrics
        ),
    ],
    swiftLanguageModes: [.v6]
)
