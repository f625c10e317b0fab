import Basics

extension KernelError {
    /// Runs `body`, which saves through Basics' `AtomicFile`, reporting a failed save as `.file` like every other
    /// file error of the Kernel, so callers and the DSL see one error type.
    static func reportingFileErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AtomicFileError {
            throw KernelError.file(path: error.path, message: error.message)
        }
    }
}
