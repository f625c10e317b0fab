// swift-tools-version:6.0
import PackageDescription

/// Release builds keep every check: an overflowing shape or an index out of bounds traps instead of corrupting memory.
/// Whole-module optimisation lets the hot loops in Kernel specialise across files.
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-wmo"], .when(configuration: .release))]

/// Plot and Repl build in the Swift 6 language mode: the compiler proves their data-race safety. Kernel and DSL (and
/// the package default below) stay in Swift 5 mode for now, as swift-collections does for its low-level code: the
/// Kernel is large numeric code whose worker threads share tensors' buffers and caches by design, and the DSL's
/// interpreter hands reference-counted values between its program thread, data-loader threads and the host; that
/// sharing is guarded by locks and by the order of the threads' work and checked by tests, not by the type
/// system. Moving them to Swift 6 mode (Sendable values, isolated state) is future work.
let strictConcurrency: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "rnx",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Kernel", targets: ["Kernel"]),
        .library(name: "Plot", targets: ["Plot"]),
        .library(name: "DSL", targets: ["DSL"]),
        .executable(name: "rnx", targets: ["Repl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // C libraries, each behind a module map.
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CImageIO", path: "Sources/CImageIO"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // The Jupyter kernel's transport and message signatures.
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // Open MPI, dlopened only under mpirun: nothing to link, no mpi.h needed to build.
        .target(name: "CMPI", path: "Sources/CMPI", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "CGnuplotIostream",
            path: "Sources/CGnuplotIostream",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [
                .linkedLibrary("boost_iostreams"),
                .linkedLibrary("boost_system"),
                .linkedLibrary("boost_filesystem"),
                .linkedLibrary("stdc++"),
            ]
        ),

        // The only code both Kernel and Plot need (atomic file writes, a lock); depends on nothing.
        .target(name: "Basics"),
        // The four modules; dependencies point one way.
        .target(name: "Kernel", dependencies: ["Basics", "CZlib", "CImageIO", "CDNNL", "CMPI"], swiftSettings: numericFlags),
        .target(name: "Plot", dependencies: ["Basics", "CGnuplotIostream"], swiftSettings: strictConcurrency),
        .target(name: "DSL", dependencies: ["Basics", "Kernel", "Plot"]),
        .executableTarget(
            name: "Repl",
            dependencies: ["Basics", "DSL", "CReadline", "CZMQ", "COpenSSL", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictConcurrency
        ),

        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        // Reference/ holds values written by PyTorch, read by the tests from the source tree.
        .testTarget(name: "KernelTests", dependencies: ["Kernel"], exclude: ["Reference"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot"]),
        .testTarget(name: "DSLTests", dependencies: ["DSL"]),
        .testTarget(name: "ReplTests", dependencies: ["Repl"]),
    ],
    swiftLanguageModes: [.v5]
)
