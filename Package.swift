// swift-tools-version: 6.1
import PackageDescription

// The core (`Sessions`) depends on no package. Integrations (Hummingbird, Vapor, PostgreSQL, …)
// arrive as targets whose package dependencies are conditioned on a trait that is off by
// default, so `swift build` with no trait fetches nothing. Each trait's sources are wrapped in
// `#if TraitName`, and `scripts/test` builds every trait leg in its own scratch folder.
let package = Package(
    name: "Sessions",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Sessions", targets: ["Sessions"]),
        .library(name: "SessionsConformance", targets: ["SessionsConformance"]),
    ],
    traits: [
        .default(enabledTraits: [])
    ],
    targets: [
        .target(name: "Sessions"),
        .target(name: "SessionsConformance", dependencies: ["Sessions"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "SessionsConformance"]),
    ],
    swiftLanguageModes: [.v6]
)
