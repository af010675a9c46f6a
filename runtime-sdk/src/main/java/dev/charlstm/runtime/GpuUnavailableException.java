package dev.charlstm.runtime;

/**
 * {@link DeviceChoice#GPU} was asked for, but ONNX Runtime cannot add its CUDA provider: the application runs
 * the CPU build of ONNX Runtime, or the machine lacks CUDA or cuDNN. The message says what to change; nothing native
 * stays open. {@link DeviceChoice#AUTO} falls back to the CPU instead of throwing this. Immutable.
 */
public final class GpuUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The dependency swap an application makes to run on CUDA, as written in the message. */
    public static final String HOW_TO = "an application runs on CUDA with com.microsoft.onnxruntime:onnxruntime_gpu"
            + " instead of com.microsoft.onnxruntime:onnxruntime (add the first with the same version, exclude the"
            + " second from charlstm-runtime-sdk; in this repository: mvn -Pgpu), on a machine with CUDA 12 and"
            + " cuDNN 9; or use DeviceChoice.AUTO to fall back to the CPU";

    private final String reason;

    GpuUnavailableException(String why, Throwable cause) {
        super(
                "DeviceChoice.GPU was asked for, but ONNX Runtime cannot add the CUDA provider (" + why + "): "
                        + HOW_TO,
                cause);
        this.reason = why;
    }

    /** @return why ONNX Runtime could not add the CUDA provider, in its words (e.g. a library it failed to load) */
    public String reason() {
        return reason;
    }
}
