package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.BatchSampler;

/**
 * The losses over every position of a [B, T, V] logits tensor: the training loss (what the optimisation section
 * configures) and plain cross-entropy (what validation measures). Stateless and thread-safe.
 */
final class Losses {

    private static final SoftmaxCrossEntropyLoss CROSS_ENTROPY = new SoftmaxCrossEntropyLoss("cross-entropy");

    private Losses() {}

    /**
     * The loss the optimiser minimises.
     *
     * @param logits [B, T, V]
     * @param targets [B, T] ids
     * @param o the optimisation section of the configuration
     * @return the mean per-character training loss in nats, a scalar
     */
    static NDArray training(NDArray logits, NDArray targets, TrainingConfig.Optimisation o) {
        return training(logits, targets, o, false);
    }

    /**
     * The loss the optimiser minimises, over the positions whose target is not {@link BatchSampler#PAD} when masked:
     * the sum over those positions divided by their number (PyTorch's {@code ignore_index} mean, as makemore).
     *
     * @param logits [B, T, V]
     * @param targets [B, T] ids, or {@link BatchSampler#PAD} for padding when {@code masked}
     * @param o the optimisation section of the configuration
     * @param masked whether padding positions are left out
     * @return the mean per-character training loss in nats, a scalar
     */
    static NDArray training(NDArray logits, NDArray targets, TrainingConfig.Optimisation o, boolean masked) {
        float eps = o.labelSmoothing();
        if (masked) {
            long v = logits.getShape().get(2);
            NDArray flat = targets.reshape(-1);
            NDArray mask = flat.gte(0).toType(DataType.FLOAT32, false);
            NDArray safe = flat.maximum(0).toType(DataType.INT64, false).reshape(-1, 1);
            NDArray logProbs = logits.reshape(-1, v).logSoftmax(1);
            NDArray nll = logProbs.gather(safe, 1).reshape(-1).neg();
            if (eps != 0) {
                nll = nll.mul(1 - eps).add(logProbs.mean(new int[] {1}).neg().mul(eps));
            }
            return nll.mul(mask).sum().div(mask.sum());
        }
        if (eps == 0) {
            return meanCrossEntropy(logits, targets); // the tutorial's loss, bit for bit
        }
        // PyTorch's label_smoothing: (1 - eps) * -log p(target) + eps * mean over the V classes of -log p.
        long v = logits.getShape().get(2);
        NDArray logProbs = logits.reshape(-1, v).logSoftmax(1);
        NDArray nll = logProbs.gather(targets.reshape(-1, 1).toType(DataType.INT64, false), 1)
                .reshape(-1)
                .neg();
        NDArray uniform = logProbs.mean(new int[] {1}).neg();
        return nll.mul(1 - eps).add(uniform.mul(eps)).mean();
    }

    /**
     * @param logits [B, T, V]
     * @param targets [B, T] ids, or {@link BatchSampler#PAD}
     * @return the summed cross-entropy in nats over the positions whose target is not padding, a scalar
     */
    static NDArray summedCrossEntropy(NDArray logits, NDArray targets) {
        long v = logits.getShape().get(2);
        NDArray flat = targets.reshape(-1);
        NDArray mask = flat.gte(0).toType(DataType.FLOAT32, false);
        NDArray safe = flat.maximum(0).toType(DataType.INT64, false).reshape(-1, 1);
        NDArray nll =
                logits.reshape(-1, v).logSoftmax(1).gather(safe, 1).reshape(-1).neg();
        return nll.mul(mask).sum();
    }

    /**
     * @param logits [B, T, V]
     * @param targets [B, T] ids
     * @return the mean per-character cross-entropy in nats, a scalar
     */
    static NDArray meanCrossEntropy(NDArray logits, NDArray targets) {
        // DJL's loss picks along the class axis of a 2-D [N, V] input; on [B, T, V] its pick fails.
        long v = logits.getShape().get(2);
        return CROSS_ENTROPY.evaluate(new NDList(targets.reshape(-1)), new NDList(logits.reshape(-1, v)));
    }
}
