package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.charlstm.trainer.config.TrainingConfig;

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
        float eps = o.labelSmoothing();
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
     * @param targets [B, T] ids
     * @return the mean per-character cross-entropy in nats, a scalar
     */
    static NDArray meanCrossEntropy(NDArray logits, NDArray targets) {
        // DJL's loss picks along the class axis of a 2-D [N, V] input; on [B, T, V] its pick fails.
        long v = logits.getShape().get(2);
        return CROSS_ENTROPY.evaluate(new NDList(targets.reshape(-1)), new NDList(logits.reshape(-1, v)));
    }
}
