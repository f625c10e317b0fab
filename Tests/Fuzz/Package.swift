// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for rnx, kept out of the root package so `swift test` there never builds them.
/// Build with `swift build -c release -Xswiftc -sanitize=fuzzer,address` (what `make fuzz` does); see docs/fuzzing.md.
/// The targets have no `main`: libFuzzer provides it and calls `LLVMFuzzerTestOneInput`.
let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "rnx-fuzz",
    dependencies: [
        .package(name: "rnx", path: "../..")
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "Kernel", package: "rnx"), .product(name: "DSL", package: "rnx")]),
        .executableTarget(name: "fuzz-dsl", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-idx", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-image", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-checkpoint", dependencies: ["FuzzSupport"], swiftSettings: fuzzTarget),
    ],
    swiftLanguageModes: [.v5]
)
