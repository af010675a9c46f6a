package dev.charlstm.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.pytorch.jni.JniUtils;
import dev.charlstm.runtime.DeviceChoice;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine offline and picks the device.
 *
 * <p>The natives come from the {@code pytorch-native-cpu} and {@code pytorch-jni} jars on the class path and are
 * unpacked once into DJL's cache ({@code DJL_CACHE_DIR}, default {@code ~/.djl.ai}); {@code ai.djl.offline=true}
 * makes sure start-up never reaches for the network. Thread-safe.
 */
public final class TorchEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TorchEngine.class);
    /** Whether a thread count was set: a later start(0) (e.g. a training run inside the CLI) keeps it. */
    private static boolean threadsChosen;

    private TorchEngine() {}

    /**
     * Starts the engine (once) and sets its intra-op thread count.
     *
     * @param threads intra-op threads; 0 = keep the count already chosen, or else the cores free now
     *     ({@link #freeCores()})
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
            throw new IllegalStateException(
                    "cannot start DJL's PyTorch engine from the bundled natives"
                            + " (pytorch-native-cpu linux-x86_64 + pytorch-jni): " + e.getMessage(),
                    e);
        }
        if (threads > 0) {
            JniUtils.setNumThreads(threads);
            threadsChosen = true;
        } else if (!threadsChosen) {
            int free = freeCores();
            JniUtils.setNumThreads(free);
            threadsChosen = true;
            LOG.info(
                    "PyTorch: {} intra-op thread{} ({} of {} cores free now; --threads N to choose)",
                    free,
                    free == 1 ? "" : "s",
                    free,
                    Runtime.getRuntime().availableProcessors());
        }
        return engine;
    }

    /**
     * How many cores this process can have now: a few milliseconds of busy threads, one per core, and the CPU time
     * they got. On a shared machine PyTorch's OpenMP threads wait for each other at every parallel region, and one
     * thread that the OS runs late stalls them all, so asking for more threads than free cores makes training far
     * slower than one thread (measured in docs/training.md). The probe sees cgroup limits and other processes alike.
     *
     * @return at least 1, at most the available processors
     */
    static int freeCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (cores == 1) {
            return 1;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return cores;
        }
        long[] cpu = new long[cores];
        long wall = TimeUnit.MILLISECONDS.toNanos(60);
        Thread[] probes = new Thread[cores];
        for (int i = 0; i < cores; i++) {
            int k = i;
            probes[i] = new Thread(
                    () -> {
                        long start = System.nanoTime();
                        long t0 = mx.getCurrentThreadCpuTime();
                        long x = 0;
                        while (System.nanoTime() - start < wall) {
                            x += x * 31 + 7; // busy: what an OpenMP worker does
                        }
                        cpu[k] = mx.getCurrentThreadCpuTime() - t0 + (x == 42 ? 1 : 0);
                    },
                    "charlstm-core-probe");
            probes[i].start();
        }
        try {
            for (Thread t : probes) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cores;
        }
        double free = 0;
        for (long c : cpu) {
            free += (double) c / wall;
        }
        return Math.max(1, Math.min(cores, (int) Math.round(free - 0.15))); // 1.3 cores free is one core
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
