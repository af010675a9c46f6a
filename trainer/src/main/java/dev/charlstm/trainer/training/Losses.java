package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/** Cross-entropy over every position of a [B, T, V] logits tensor. Stateless and thread-safe. */
final class Losses {

    private static final SoftmaxCrossEntropyLoss CROSS_ENTROPY = new SoftmaxCrossEntropyLoss("cross-entropy");

    private Losses() {}

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
