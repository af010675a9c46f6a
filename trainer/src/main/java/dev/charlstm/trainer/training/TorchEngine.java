package dev.charlstm.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine offline and picks the device.
 *
 * <p>The natives come from the {@code pytorch-native-cpu} and {@code pytorch-jni} jars on the class path and are
 * unpacked once into DJL's cache ({@code DJL_CACHE_DIR}, default {@code ~/.djl.ai}); {@code ai.djl.offline=true}
 * makes sure start-up never reaches for the network. Thread-safe.
 */
public final class TorchEngine {

    private TorchEngine() {}

    /**
     * Starts the engine (once) and sets its intra-op thread count.
     *
     * @param threads intra-op threads; 0 keeps PyTorch's default (one per core)
     * @return the engine
     * @throws IllegalStateException with a readable message if the natives cannot be loaded
     */
    public static synchronized Engine start(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = one per core), got " + threads);
        }
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (EngineException | UnsatisfiedLinkError | IllegalArgumentException e) {
            throw new IllegalStateException("cannot start DJL's PyTorch engine from the bundled natives"
                    + " (pytorch-native-cpu linux-x86_64 + pytorch-jni): " + e.getMessage(), e);
        }
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
        }
        return engine;
    }

    /**
     * @param choice the requested device
     * @param engine the started engine
     * @return the device to train on
     * @throws IllegalArgumentException if a GPU is required and there is none
     */
    public static Device device(DeviceChoice choice, Engine engine) {
        int gpus = engine.getGpuCount();
        switch (choice) {
            case CPU:
                return Device.cpu();
            case GPU:
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu was asked for, but DJL's PyTorch engine sees no"
                            + " GPU (this build bundles the CPU natives only)");
                }
                return Device.gpu();
            default:
                return gpus > 0 ? Device.gpu() : Device.cpu();
        }
    }
}
