package dev.charlstm.runtime;

/**
 * Where a model runs, as asked for: the one device concept of charlstm, for inference (ONNX Runtime's execution
 * provider) and for training (DJL's device). Immutable and thread-safe.
 *
 * <p>The defaults differ on purpose: inference defaults to {@link #CPU}, because a seed must reproduce the same text
 * on every machine (a GPU's float arithmetic differs, and the shipped CLI carries CPU-only ONNX Runtime); training
 * defaults to {@link #AUTO}, because a GPU makes it many times faster and its checkpoints are portable.
 */
public enum DeviceChoice {
    /** The CPU (the default for inference). */
    CPU,
    /**
     * The first CUDA GPU. For inference, loading fails with a {@link GpuUnavailableException} (saying which dependency
     * to swap) when ONNX Runtime's CUDA provider cannot be added: it needs {@code onnxruntime_gpu} on the classpath
     * instead of {@code onnxruntime}. For training, it fails clearly when DJL sees no GPU.
     */
    GPU,
    /** A GPU when one can be used, else the CPU (for inference with one log line saying why; the training default). */
    AUTO
}
