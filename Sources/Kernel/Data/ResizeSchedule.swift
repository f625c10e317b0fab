/// Progressive resizing: the image size a `DataLoader` produces in each epoch, e.g. 32 px for epochs 0–4,
/// 48 px for 5–9, 64 px from 10 on. Images are resized bilinearly after the sample's transforms.
public struct ResizeSchedule: Sendable, Equatable {
    /// A size used from `startEpoch` until the next phase starts.
    public struct Phase: Sendable, Equatable {
        /// The first epoch (0-based) of this phase.
        public let startEpoch: Int
        /// The output size during the phase.
        public let size: ImageSize
    }

    /// The phases, by increasing start epoch.
    public let phases: [Phase]

    /// Phases given as (start epoch, size) pairs in increasing epoch order. Before the first phase's start
    /// the images keep the size the transforms give them.
    public init(_ phases: [(startEpoch: Int, size: ImageSize)]) throws {
        guard !phases.isEmpty else {
            throw KernelError.invalidArgument(op: "ResizeSchedule", message: "needs at least one phase")
        }
        for (index, phase) in phases.enumerated() {
            try phase.size.validate(op: "ResizeSchedule")
            guard phase.startEpoch >= 0, index == 0 || phase.startEpoch > phases[index - 1].startEpoch else {
                throw KernelError.invalidArgument(
                    op: "ResizeSchedule", message: "phase start epochs must be non-negative and increasing, found \(phases.map(\.startEpoch))")
            }
        }
        self.phases = phases.map { Phase(startEpoch: $0.startEpoch, size: $0.size) }
    }

    /// One size for every epoch.
    public init(constant size: ImageSize) throws {
        try self.init([(0, size)])
    }

    /// The size for `epoch`, or nil before the first phase.
    public func size(forEpoch epoch: Int) -> ImageSize? {
        phases.last { $0.startEpoch <= epoch }?.size
    }
}
