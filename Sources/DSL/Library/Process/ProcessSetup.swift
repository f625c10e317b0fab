import Kernel

/// Process-wide settings a program that trains models should apply first thing in `main`.
public enum ProcessSetup {
    /// Restarts the process once with `OMP_WAIT_POLICY=passive` (oneDNN's OpenMP threads otherwise spin and take
    /// the cores from the rest of a training step), and keeps freed tensor buffers for reuse instead of
    /// returning them to the OS after every op.
    public static func prepareForTraining() {
        OpenMPWaitPolicy.restartWithPassiveWaitIfNeeded()
        AllocatorTuning.keepFreedBuffers()
    }
}
