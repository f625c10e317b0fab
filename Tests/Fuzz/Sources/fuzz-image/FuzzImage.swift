import FuzzSupport
import Kernel

/// JPEG and PNG decoding as image folders use it (`ImageFile.read` shares the decoder with `ImageFolder`),
/// in colour and in gray; the format comes from the content, so one target covers both.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let path = FuzzHarness.file("input.image", containing: FuzzHarness.bytes(data, size))
    for channels in [3, 1] {
        if let image = try? ImageFile.read(path, channels: channels) {
            _ = image.data.reduce(0, +)
        }
    }
    return 0
}
