/// The image formats a chart can be saved as, chosen by the file name's extension.
public enum ChartFileFormat: String, Equatable {
    /// `.png`
    case png
    /// `.svg`
    case svg

    /// The format named by `path`'s extension (any letter case); anything else is an error.
    public init(path: String) throws {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
            let format = ChartFileFormat(rawValue: name[name.index(after: dot)...].lowercased())
        else {
            throw PlotError.unsupportedFileExtension(path: path)
        }
        self = format
    }

    /// The rendering target for this format at `width` × `height` pixels.
    public func target(width: Int, height: Int) -> RenderTarget {
        switch self {
        case .png: return .png(width: width, height: height)
        case .svg: return .svg(width: width, height: height)
        }
    }
}
