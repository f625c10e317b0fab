import Kernel

// The objects of the data and schedule bindings, made drawable by the chart builtins (see ChartSources.swift).

extension DatasetObject: ImagesChartSource {
    /// The first `count` samples.
    func chartImages(count: Int) throws -> (images: Tensor, labels: [Int], classNames: [String]) {
        let shown = try dataset.subset(Array(0..<min(count, dataset.count)))
        return (shown.images, shown.labels, shown.classNames)
    }
}

extension LoaderObject: ImagesChartSource {
    /// The first batch of the first epoch, as training sees it (shuffled and augmented like fastai's `show_batch`).
    func chartImages(count: Int) throws -> (images: Tensor, labels: [Int], classNames: [String]) {
        let stream = try loader.batches(epoch: 0)
        defer { stream.cancel() }
        guard let batch = try stream.next() else { throw DSLError(.value, "images(): the loader has no batches") }
        return (batch.images, batch.labels, loader.dataset.classNames)
    }
}

extension DataBunchObject: ImagesChartSource {
    /// A batch of the training loader.
    func chartImages(count: Int) throws -> (images: Tensor, labels: [Int], classNames: [String]) {
        try train.chartImages(count: count)
    }
}

extension ScheduleObject: ScheduleChartSource {
    /// The schedule's preview.
    func chartScheduleValues(steps: Int?) throws -> [ScheduleValue] {
        try preview(steps)
    }
}
