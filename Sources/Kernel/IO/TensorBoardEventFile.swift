import Basics
import Foundation

/// A TensorBoard event file: `events.out.tfevents.<seconds>.<host>.<pid>.<n>` in a run directory, holding `Event`
/// protocol buffers in TFRecord framing, readable by TensorBoard while it is being written.
///
/// Each record is the data's length (uint64, little-endian), the masked CRC32C of those 8 bytes, the data, and the
/// masked CRC32C of the data. The first event names the format (`file_version: "brain.Event:2"`). Records are kept in
/// memory until `flush()`, which appends them and syncs the file (training flushes once per epoch and at the end).
///
/// Message layouts (field numbers) follow tensorboard/compat/proto: `event.proto` (Event: wall_time 1, step 2,
/// file_version 3, summary 5), `summary.proto` (Summary: value 1; Summary.Value: tag 1, simple_value 2, histo 5,
/// tensor 8, metadata 9; SummaryMetadata: plugin_data 1; PluginData: plugin_name 1, content 2), `histogram.proto`
/// (HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5, bucket_limit 6, bucket 7) and `tensor.proto`
/// (TensorProto: dtype 1, tensor_shape 2, string_val 8; DT_STRING = 7). The HParams plugin's summaries are in
/// `TensorBoardHParams.swift`.
public final class TensorBoardEventFile {
    /// The event file's path.
    public let path: String
    private var pending: [UInt8] = []
    /// The wall time in seconds since 1970.
    let clock: () -> Double
    private static let fileCounter = Locked(0)

    /// Starts a new event file in `directory` (created when missing), with the file-version event written at once.
    /// `clock` gives the wall time in seconds since 1970 (tests fix it).
    public init(directory: String, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        let number = Self.fileCounter.withLock { count -> Int in
            count += 1
            return count
        }
        // TensorBoard lists every file whose name holds "tfevents"; the pid and counter keep two runs of one second apart.
        let name = "events.out.tfevents.\(Int(clock())).\(host.isEmpty ? "localhost" : host).\(getpid()).\(number)"
        path = (directory as NSString).appendingPathComponent(name)
        try KernelError.reportingFileErrors {
            try AtomicFile.createDirectory(directory)
            try AtomicFile.write([], to: path)
        }
        var event = ProtobufWriter()
        event.double(1, clock())
        event.string(3, "brain.Event:2")
        append(event.bytes)
        try flush()
    }

    /// A scalar (`Summary.Value.simple_value`) at `step`, shown by TensorBoard's scalars dashboard under `tag`.
    public func scalar(_ tag: String, _ value: Double, step: Int) {
        summary(step: step) { entry in
            entry.string(1, tag)
            entry.float(2, Float(value))
        }
    }

    /// Markdown text at `step` for the text dashboard: a string tensor marked for the `text` plugin.
    public func text(_ tag: String, _ text: String, step: Int) {
        summary(step: step) { value in
            value.string(1, tag)
            value.message(9) { metadata in metadata.message(1) { plugin in plugin.string(1, "text") } }
            value.message(8) { tensor in
                tensor.int64(1, 7)
                tensor.message(2) { _ in }
                tensor.bytes(8, Array(text.utf8))
            }
        }
    }

    /// A histogram of `values` at `step` for the histograms and distributions dashboards: `bucketCount` buckets of
    /// equal width between the smallest and largest finite value (non-finite values are left out). Nothing is
    /// written when no value is finite.
    public func histogram(_ tag: String, _ values: [Float], step: Int, bucketCount: Int = 30) {
        let finite = values.filter(\.isFinite).map(Double.init)
        guard let low = finite.min(), let high = finite.max(), bucketCount >= 1 else { return }
        let width = (high - low) / Double(bucketCount)
        var counts = [Double](repeating: 0, count: bucketCount)
        for value in finite {
            let index = width > 0 ? Int((value - low) / width) : 0
            counts[min(max(index, 0), bucketCount - 1)] += 1
        }
        let limits = (1...bucketCount).map { $0 == bucketCount ? high : low + Double($0) * width }
        summary(step: step) { value in
            value.string(1, tag)
            value.message(5) { histogram in
                histogram.double(1, low)
                histogram.double(2, high)
                histogram.double(3, Double(finite.count))
                histogram.double(4, finite.reduce(0, +))
                histogram.double(5, finite.reduce(0) { $0 + $1 * $1 })
                histogram.packedDoubles(6, limits)
                histogram.packedDoubles(7, counts)
            }
        }
    }

    /// Appends the events recorded so far to the file and syncs it, so TensorBoard sees them and a crash keeps them.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        try DurableAppend.append(pending, to: path, what: "the TensorBoard event file")
        pending = []
    }

    /// One Event holding a Summary with one value, written by `body`.
    func summary(step: Int, _ body: (inout ProtobufWriter) -> Void) {
        var event = ProtobufWriter()
        event.double(1, clock())
        event.int64(2, Int64(step))
        event.message(5) { summary in summary.message(1, body) }
        append(event.bytes)
    }

    private func append(_ data: [UInt8]) {
        pending += Self.record(data)
    }

    /// `data` in TFRecord framing.
    static func record(_ data: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length.append(contentsOf: $0) }
        var framed = length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { framed.append(contentsOf: $0) }
        framed += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { framed.append(contentsOf: $0) }
        return framed
    }
}

/// CRC-32C (Castagnoli polynomial, reflected 0x82F63B78), as TFRecord files checksum their records.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes`; `checksum(Array("123456789".utf8)) == 0xE3069283`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form: rotated right by 15 bits plus a constant (added modulo 2³², as the format defines), so a
    /// CRC of data holding CRCs stays strong.
    static func masked(_ bytes: [UInt8]) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
