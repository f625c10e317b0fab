/// Models in the language: symbolic tensors and `input`, layers (as builders and as objects), `model`, `sequential`
/// and the ResNet factory. `Library.standard` lists these groups and types.
enum ModelBindings {
    /// Builtins by section, in documentation order.
    static let groups: [BuiltinGroup] = [
        ModelFactories.group, LayerCatalog.builderGroup, LayerCatalog.constructorGroup, ModelResNetFactories.group, ModelExport.group,
    ]
    /// The wrapped Kernel types.
    static let types: [DSLType] = [SymbolicObject.type, LayerObject.type, ModelObject.type]
}
