package dev.charlstm.runtime;

/** Where ONNX Runtime runs the graph. Immutable and thread-safe. */
public enum ExecutionProvider {
    /** The CPU (the default). */
    CPU,
    /** CUDA; fails to load when the CUDA provider cannot be added. Needs the {@code onnxruntime_gpu} build ({@code -Pgpu}). */
    GPU,
    /** CUDA when it can be added, else the CPU (with one log line saying why). */
    AUTO
}
