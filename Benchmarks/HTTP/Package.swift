// swift-tools-version: 6.1
import PackageDescription

// The HTTP benchmark of issue 6: small servers answering `GET /count` with and without
// sessions, loaded with wrk by `Benchmarks/run-http`. A package of its own so neither the
// library nor the micro benchmarks build Vapor.
let package = Package(
    name: "SessionsHTTPBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../..", traits: ["Hummingbird", "Postgres", "Vapor"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Hummingbird: bare, HummingbirdAuth's sessions, ours on memory, files and PostgreSQL.
        .executableTarget(
            name: "hb-server",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The package's identity is its folder's name.
                .product(name: "Sessions", package: "main"),
                .product(name: "SessionsHummingbird", package: "main"),
                .product(name: "SessionsPostgres", package: "main"),
            ],
            path: "Sources/HBServer"
        ),
        // Vapor: bare, with its SessionsMiddleware on `.memory` and on Fluent (PostgreSQL), and ours.
        .executableTarget(
            name: "vapor-server",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Sessions", package: "main"),
                .product(name: "SessionsVapor", package: "main"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ],
            path: "Sources/VaporServer"
        ),
    ],
    swiftLanguageModes: [.v6]
)
