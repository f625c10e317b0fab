import FuzzSupport
import Kernel

/// Kernel's safetensors reader on arbitrary bytes; every tensor it returns is read in full and printed, so a
/// tensor whose storage does not match its shape shows up under AddressSanitizer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let path = FuzzHarness.file("input.safetensors", containing: FuzzHarness.bytes(data, size))
    guard let file = try? Safetensors.load(path) else { return 0 }
    for entry in file.tensors {
        _ = entry.tensor.data.reduce(0, +)
        _ = entry.tensor.description
    }
    _ = file.metadata.count
    return 0
}
