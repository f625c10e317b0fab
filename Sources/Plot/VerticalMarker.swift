/// A labelled vertical line across a line chart, e.g. the learning rate an LR finder suggests.
public struct VerticalMarker: Equatable {
    /// Where the line stands on the x axis.
    public var x: Double
    /// Text written beside the line (user text; quoted before it reaches gnuplot).
    public var label: String
    /// If set, a point is also drawn at (x, y), e.g. the loss at the suggested rate.
    public var y: Double?

    /// A marker at `x` with `label`, and a point at (x, y) when `y` is given.
    public init(x: Double, label: String, y: Double? = nil) {
        self.x = x
        self.label = label
        self.y = y
    }
}
