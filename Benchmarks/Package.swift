// swift-tools-version: 6.1
import PackageDescription

// Micro benchmarks for `Sessions`: a package of its own, so the library keeps no dependency.
// `SessionBenchmarks` runs under ordo-one/benchmark's plugin (`swift package benchmark`);
// `MemoryFootprint` is a plain executable measuring resident memory once; it lives outside
// Benchmarks/ because the plugin runs every executable there (under its malloc interposer).
let package = Package(
    name: "SessionsBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(
            name: "Fixtures",
            dependencies: [.product(name: "Sessions", package: "main")]
        ),
        .executableTarget(
            name: "SessionBenchmarks",
            dependencies: [
                "Fixtures",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Sessions", package: "main"),
                .product(name: "SessionsConformance", package: "main"),
            ],
            path: "Benchmarks/SessionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MemoryFootprint",
            dependencies: ["CMalloc", "Fixtures", .product(name: "Sessions", package: "main")],
            path: "Sources/MemoryFootprint"
        ),
    ],
    swiftLanguageModes: [.v6]
)
