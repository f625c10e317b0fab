/// A tensor with the name it is stored and looked up under, e.g. `layer1.0.conv1.weight`.
///
/// Model parameters, buffers, optimizer state and safetensors entries are all lists of these,
/// so one name identifies a tensor everywhere (checkpoints, weight decay groups, summaries).
public struct NamedTensor {
    /// The key: `<layer name>.<parameter name>` for model weights.
    public let name: String
    /// The tensor itself (shared, not copied).
    public let tensor: Tensor

    /// Pairs `name` with `tensor`.
    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}
