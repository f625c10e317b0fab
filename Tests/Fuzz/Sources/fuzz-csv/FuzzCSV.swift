import FuzzSupport
import Kernel

/// `csv_dataset`'s parser. The first byte picks the image shape and the header mode, the rest is the file, so
/// the fuzzer explores both the parser and the row-width checks of every shape.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let input = FuzzHarness.bytes(data, size)
    guard let selector = input.first else { return 0 }
    let shapes: [[Int]] = [[1, 2, 2], [1, 1, 1], [3, 1, 2], [1, 28, 28]]
    let headers: [Bool?] = [nil, true, false]
    let shape = shapes[Int(selector) % shapes.count]
    let header = headers[Int(selector / 4) % headers.count]
    let path = FuzzHarness.file("input.csv", containing: Array(input.dropFirst()))
    guard let dataset = try? Datasets.csv(path: path, shape: shape, header: header) else { return 0 }
    if dataset.count > 0, let sample = try? dataset.sample(dataset.count - 1) {
        _ = sample.image.data.reduce(0, +)
    }
    return 0
}
