package dev.charlstm.runtime;

/** Where ONNX Runtime runs the graph. Immutable and thread-safe. */
public enum ExecutionProvider {
    /** The CPU (the default). */
    CPU,
    /**
     * CUDA; loading fails with a {@link GpuUnavailableException} (saying which dependency to swap) when the CUDA
     * provider cannot be added. Needs {@code onnxruntime_gpu} on the classpath instead of {@code onnxruntime}.
     */
    GPU,
    /** CUDA when it can be added, else the CPU (with one log line saying why). */
    AUTO
}
