/// The height and width of an image, in pixels.
public struct ImageSize: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int

    /// A `height`×`width` size; checked (both must be positive) where it is used.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// A square `side`×`side` size.
    public init(_ side: Int) {
        self.init(height: side, width: side)
    }

    /// `32x48`: height then width, as in shapes.
    public var description: String { "\(height)x\(width)" }

    /// Throws unless both sides are positive.
    func validate(op: String) throws {
        guard height > 0, width > 0 else {
            throw KernelError.invalidArgument(op: op, message: "image size must be positive, found \(self)")
        }
    }
}
