/// A placeholder for the output of a layer call while a model is being defined (Keras's `KerasTensor`).
///
/// It records its per-sample shape (no batch dimension), the layer call that produced it and that call's inputs;
/// a `Model` turns the graph of these into an executable network.
public final class SymbolicTensor: CustomStringConvertible {
    /// Shape of one sample, e.g. `[64, 56, 56]` for a 64-channel 56×56 feature map.
    public let shape: [Int]
    /// The layer whose call produced this tensor (an `InputLayer` for model inputs).
    public let layer: Layer
    /// The symbolic tensors that call read.
    public let inputs: [SymbolicTensor]
    /// Which call of `layer` this is (0 for the first), shown by `summary()` as `name[nodeIndex][0]`.
    public let nodeIndex: Int
    /// Creation order: a node is always created after its inputs, so sorting by it is a topological order
    /// that follows the order in which the user wrote the model.
    let serial: Int
    /// The names already taken in the graph this tensor belongs to.
    let namespace: LayerNamespace

    nonisolated(unsafe) private static var nextSerial = 0

    init(shape: [Int], layer: Layer, inputs: [SymbolicTensor], nodeIndex: Int, namespace: LayerNamespace) {
        self.shape = shape
        self.layer = layer
        self.inputs = inputs
        self.nodeIndex = nodeIndex
        self.namespace = namespace
        serial = SymbolicTensor.nextSerial
        SymbolicTensor.nextSerial += 1
    }

    /// `<SymbolicTensor [16, 32, 32] from layer 'conv2d' (Conv2D)>`.
    public var description: String {
        "<SymbolicTensor \(shapeString(shape)) from layer '\(layer.name)' (\(layer.typeName))>"
    }
}

/// The input of a model: a symbolic tensor of per-sample `shape` (e.g. `[3, 64, 64]`, without the batch).
public func Input(shape: [Int], name: String? = nil) throws -> SymbolicTensor {
    let layer = try InputLayer(shape: shape, name: name)
    let namespace = LayerNamespace()
    try namespace.claim(layer)
    layer.callCount = 1
    return SymbolicTensor(shape: shape, layer: layer, inputs: [], nodeIndex: 0, namespace: namespace)
}

/// The layer behind `Input(shape:)`; it has no weights and is never run.
public final class InputLayer: Layer {
    /// The per-sample shape the model expects.
    public let shape: [Int]

    init(shape: [Int], name: String?) throws {
        self.shape = shape
        try super.init(name: name)
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidArgument(
                op: "Input", message: "shape must list one or more positive sizes (without the batch), found \(shapeString(shape))")
        }
        try Shape.validate(shape, op: "Input")
        isBuilt = true
    }

    override public var typeName: String { "InputLayer" }
    override var baseName: String { "input" }
    override var inputCountRange: ClosedRange<Int> { 0...0 }
    override var configuration: String { "shape \(shapeString(shape))" }
}

/// The layer names taken in one graph under construction, so that automatic names are unique within a model
/// (`conv2d`, `conv2d_1`, …) without a process-wide counter: the same code always yields the same names,
/// so weights saved from one model load into a freshly built one.
///
/// Graphs that meet in a merge layer share one namespace afterwards (union–find).
final class LayerNamespace {
    private var owners: [String: ObjectIdentifier] = [:]
    private var mergedInto: LayerNamespace?

    /// The representative namespace after merges.
    var root: LayerNamespace {
        var node = self
        while let next = node.mergedInto { node = next }
        // Path compression keeps later lookups short in deep networks.
        var walk = self
        while let next = walk.mergedInto, next !== node {
            walk.mergedInto = node
            walk = next
        }
        return node
    }

    /// One namespace holding the names of all of `spaces`.
    static func union(_ spaces: [LayerNamespace]) -> LayerNamespace {
        guard let first = spaces.first?.root else { return LayerNamespace() }
        for space in spaces.dropFirst() {
            let other = space.root
            guard other !== first else { continue }
            for (name, owner) in other.owners where first.owners[name] == nil { first.owners[name] = owner }
            other.owners = [:]
            other.mergedInto = first
        }
        return first
    }

    /// Gives `layer` a name unique in this namespace (keeping a user-given or earlier-assigned one) and records it.
    ///
    /// Throws when a user-given name is already taken by a different layer of this graph.
    func claim(_ layer: Layer) throws {
        let space = root
        let id = ObjectIdentifier(layer)
        switch layer.nameOrigin {
        case .unassigned:
            layer.name = space.firstFree(base: layer.baseName, oneBased: layer is InputLayer)
            layer.nameOrigin = .automatic
        case .automatic:
            if let owner = space.owners[layer.name], owner != id {
                layer.name = space.firstFree(base: layer.baseName, oneBased: layer is InputLayer)
            }
        case .user:
            if let owner = space.owners[layer.name], owner != id {
                throw KernelError.invalidArgument(
                    op: "layer '\(layer.name)' (\(layer.typeName))",
                    message: "the name '\(layer.name)' is already used by another layer of this model; layer names must be unique")
            }
        }
        space.owners[layer.name] = id
    }

    /// Undoes a `claim` whose call then failed, so a failed call leaves names as they were: the layer gets
    /// back `name` and `origin`, and the name it claimed becomes free unless it already held it.
    func release(_ layer: Layer, restoring name: String, origin: Layer.NameOrigin, wasOwner: Bool) {
        let space = root
        if !wasOwner, space.owners[layer.name] == ObjectIdentifier(layer) { space.owners[layer.name] = nil }
        layer.name = name
        layer.nameOrigin = origin
    }

    /// Whether `layer` already holds its current name here.
    func owns(_ layer: Layer) -> Bool {
        root.owners[layer.name] == ObjectIdentifier(layer)
    }

    /// `base`, `base_1`, `base_2`, … (or `base_1`, `base_2`, … for inputs, as Keras names `input_1`): the first not taken.
    func firstFree(base: String, oneBased: Bool) -> String {
        var index = oneBased ? 1 : 0
        while true {
            let candidate = index == 0 ? base : "\(base)_\(index)"
            if owners[candidate] == nil { return candidate }
            index += 1
        }
    }
}
