package dev.charlstm.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlstm.runtime.pack.PackageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the ONNX Runtime execution provider a session runs on. Stateless. */
final class Providers {

    private static final Logger LOG = LoggerFactory.getLogger(Providers.class);

    private Providers() {}

    /**
     * Adds the requested provider to the session options.
     *
     * @return the provider in use: {@code CPU} or {@code CUDA}
     * @throws PackageException if GPU was required and CUDA cannot be added
     */
    static String add(OrtSession.SessionOptions so, ExecutionProvider requested) throws OrtException {
        if (requested == ExecutionProvider.CPU) {
            return "CPU";
        }
        try {
            so.addCUDA(0);
            return "CUDA";
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            if (requested == ExecutionProvider.GPU) {
                throw new PackageException("ExecutionProvider.GPU was asked for, but ONNX Runtime cannot add the CUDA"
                        + " provider (" + e.getMessage() + "); build with -Pgpu on a machine with CUDA, or use CPU/AUTO");
            }
            LOG.info("CUDA is not available ({}); running on the CPU", e.getMessage());
            return "CPU";
        }
    }
}
