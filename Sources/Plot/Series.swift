/// One named line of a line chart: y values over x values.
public struct Series: Equatable {
    /// How the points of a series are drawn.
    public enum Style: String, Equatable {
        /// Points joined by lines.
        case lines
        /// Separate points.
        case points
        /// Lines with a point at each value.
        case linesPoints = "linespoints"
    }

    /// The legend entry (user text; quoted before it reaches gnuplot).
    public var name: String
    /// Horizontal positions, one per y value.
    public var x: [Double]
    /// Values; NaN leaves a gap.
    public var y: [Double]
    /// How the series is drawn.
    public var style: Style

    /// A series with explicit x positions.
    public init(name: String, x: [Double], y: [Double], style: Style = .lines) {
        self.name = name
        self.x = x
        self.y = y
        self.style = style
    }

    /// A series over x = 0, 1, 2, ... (e.g. a loss per step).
    public init(name: String, y: [Double], style: Style = .lines) {
        self.init(name: name, x: y.indices.map(Double.init), y: y, style: style)
    }

    /// A series from single-precision arrays.
    @_disfavoredOverload  // array literals pick the Double version
    public init(name: String, x: [Float], y: [Float], style: Style = .lines) {
        self.init(name: name, x: x.map(Double.init), y: y.map(Double.init), style: style)
    }

    /// A series from single-precision values over x = 0, 1, 2, ...
    @_disfavoredOverload  // array literals pick the Double version
    public init(name: String, y: [Float], style: Style = .lines) {
        self.init(name: name, y: y.map(Double.init), style: style)
    }
}
