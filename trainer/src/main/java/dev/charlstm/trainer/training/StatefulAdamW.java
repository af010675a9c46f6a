package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, as {@code torch.optim.AdamW}) whose moments can be saved and restored.
 *
 * <p>DJL's own {@code AdamW} keeps its moments in private maps keyed by per-process parameter ids, so a resumed
 * run would restart them from zero. This one keys them by parameter name and writes them into checkpoints. The
 * update itself is DJL's fused native {@code adamUpdate}, the same kernel DJL's optimizer calls; global-norm
 * gradient clipping is folded in as its gradient rescale factor.
 *
 * <p>Not thread-safe: one instance belongs to one training loop.
 */
final class StatefulAdamW implements AutoCloseable {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final NDManager manager;
    private final float weightDecay;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private long step;

    /**
     * @param parent the manager under which the moments live
     * @param weightDecay decoupled weight decay
     */
    StatefulAdamW(NDManager parent, float weightDecay) {
        this.manager = parent.newSubManager();
        this.weightDecay = weightDecay;
    }

    /** @return updates applied so far */
    long step() {
        return step;
    }

    /**
     * Global L2 norm of all gradients.
     *
     * @param parameters the model's parameters, after backward
     * @return the norm
     */
    static double gradientNorm(ParameterList parameters) {
        double sumSquares = 0;
        for (Pair<String, Parameter> p : parameters) {
            try (NDArray grad = p.getValue().getArray().getGradient();
                    NDArray norm = grad.norm()) {
                double n = norm.getFloat();
                sumSquares += n * n;
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Applies one update to every parameter and zeroes the gradients.
     *
     * @param parameters the model's parameters, after backward
     * @param learningRate this step's learning rate
     * @param gradientScale factor applied to every gradient first (global-norm clipping), 1 = none
     */
    void update(ParameterList parameters, float learningRate, float gradientScale) {
        step++;
        double biasCorrection1 = 1.0 - Math.pow(BETA1, (double) step);
        double biasCorrection2 = 1.0 - Math.pow(BETA2, (double) step);
        float correctedRate = (float) (learningRate * Math.sqrt(biasCorrection2) / biasCorrection1);
        // DJL's kernel divides by sqrt(v) + eps; torch.optim.AdamW by sqrt(v / bc2) + eps. Scaling eps by sqrt(bc2)
        // makes the two the same update. Without it, small gradients took steps up to 3x smaller early on, and a
        // run from the same weights on the same batches drifted from PyTorch's by 2e-3 nats after one step
        // (tools/same_weights.py; with it, 1e-7).
        float epsilon = (float) (EPSILON * Math.sqrt(biasCorrection2));
        for (Pair<String, Parameter> p : parameters) {
            NDArray weight = p.getValue().getArray();
            NDArray mean = means.computeIfAbsent(p.getKey(), k -> manager.zeros(weight.getShape()));
            NDArray variance = variances.computeIfAbsent(p.getKey(), k -> manager.zeros(weight.getShape()));
            try (NDArray grad = weight.getGradient()) {
                weight.getNDArrayInternal()
                        .adamUpdate(
                                new NDList(weight, grad, mean, variance),
                                new NDList(weight),
                                learningRate,
                                correctedRate,
                                weightDecay,
                                gradientScale,
                                -1f,
                                BETA1,
                                BETA2,
                                epsilon,
                                true,
                                true);
            }
        }
    }

    /**
     * Writes the step count and every moment.
     *
     * @param out the stream
     * @throws IOException if writing fails
     */
    void save(DataOutputStream out) throws IOException {
        out.writeLong(step);
        out.writeInt(means.size());
        for (Map.Entry<String, NDArray> e : means.entrySet()) {
            out.writeUTF(e.getKey());
            writeArray(out, e.getValue());
            writeArray(out, variances.get(e.getKey()));
        }
    }

    /**
     * Restores what {@link #save} wrote.
     *
     * @param in the stream
     * @param parameters the model's parameters: every saved moment must name one of them, with its shape
     * @throws IOException if reading fails or the state does not fit the model
     */
    void load(DataInputStream in, ParameterList parameters) throws IOException {
        step = in.readLong();
        int n = in.readInt();
        if (n != 0 && n != parameters.size()) {
            throw new IOException("optimizer state holds " + n + " parameters, the model has " + parameters.size());
        }
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            Parameter p = parameters.get(name);
            if (p == null) {
                throw new IOException("optimizer state names an unknown parameter " + name);
            }
            NDArray mean = readArray(in);
            NDArray variance = readArray(in);
            if (!mean.getShape().equals(p.getArray().getShape())
                    || !variance.getShape().equals(mean.getShape())) {
                throw new IOException("optimizer state for " + name + " has shape " + mean.getShape()
                        + ", the parameter " + p.getArray().getShape());
            }
            replace(means, name, mean);
            replace(variances, name, variance);
        }
    }

    private static void replace(Map<String, NDArray> map, String name, NDArray value) {
        NDArray old = map.put(name, value);
        if (old != null) {
            old.close();
        }
    }

    private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
        byte[] bytes = array.encode();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private NDArray readArray(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 1 << 30) {
            throw new IOException("optimizer state holds an array of " + len + " bytes");
        }
        byte[] bytes = new byte[len];
        in.readFully(bytes);
        return NDArray.decode(manager, bytes);
    }

    @Override
    public void close() {
        manager.close();
    }
}
