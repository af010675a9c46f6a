package dev.charlstm.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
     * @throws GpuUnavailableException if GPU was required and CUDA cannot be added
     */
    static String add(OrtSession.SessionOptions so, DeviceChoice requested) throws OrtException {
        if (requested == DeviceChoice.CPU) {
            return "CPU";
        }
        try {
            so.addCUDA(0);
            return "CUDA";
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            if (requested == DeviceChoice.GPU) {
                throw new GpuUnavailableException(e.getMessage(), e);
            }
            LOG.info("CUDA is not available ({}); running on the CPU", e.getMessage());
            return "CPU";
        }
    }
}
