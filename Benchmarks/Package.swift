// swift-tools-version:6.0
import PackageDescription

/// The benchmark executable lives in a package of its own so that `swift test` on rnx never builds it.
/// `make bench` (Benchmarks/run.sh) builds it in release mode beside rnx.
let package = Package(
    name: "RnxBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "rnx", path: "..")],
    targets: [
        .executableTarget(
            name: "RnxBench",
            // DSL: the time-to-accuracy group runs the quick-start recipe as a script, as users run it.
            dependencies: [.product(name: "Kernel", package: "rnx"), .product(name: "DSL", package: "rnx")],
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))]
        )
    ],
    swiftLanguageModes: [.v5]
)
