import Foundation

/// A safetensors file read independently of rnx: float32 tensors by name, and the training position a checkpoint
/// stores in its metadata.
struct SafetensorsFile {
    /// Where a checkpoint says training stands.
    struct Position: Decodable {
        let epoch: Int
        let step: Int
    }

    /// The float32 tensors, flattened.
    let tensors: [String: [Float]]
    /// `rnx.position` from the metadata, for checkpoints.
    let position: Position?

    /// Reads the file at `url`; throws when it is not a safetensors file.
    init(_ url: URL) throws {
        let bytes = try Data(contentsOf: url)
        guard bytes.count >= 8 else { throw PseudoTerminalError("\(url.lastPathComponent) is too short for a safetensors file") }
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard bytes.count >= 8 + headerLength,
            let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        else {
            throw PseudoTerminalError("\(url.lastPathComponent) has no readable safetensors header")
        }
        let body = bytes.subdata(in: (8 + headerLength)..<bytes.count)
        var tensors: [String: [Float]] = [:]
        var position: Position?
        for (name, entry) in header {
            if name == "__metadata__" {
                if let text = (entry as? [String: String])?["rnx.position"] {
                    position = try JSONDecoder().decode(Position.self, from: Data(text.utf8))
                }
                continue
            }
            guard let fields = entry as? [String: Any], fields["dtype"] as? String == "F32",
                let offsets = fields["data_offsets"] as? [Int], offsets.count == 2
            else { continue }
            tensors[name] = body.subdata(in: offsets[0]..<offsets[1]).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        self.tensors = tensors
        self.position = position
    }
}
