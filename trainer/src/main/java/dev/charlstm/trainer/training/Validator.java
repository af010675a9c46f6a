package dev.charlstm.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.charlstm.runtime.EvaluationOptions;
import dev.charlstm.trainer.corpus.BatchSampler;
import dev.charlstm.trainer.model.CharLstm;
import java.util.Arrays;

/**
 * Validation loss defined so that it compares across tools: the mean per-character cross-entropy, in nats, over
 * the validation text cut into consecutive windows of {@code seqLen + 1} (window {@code i} covers
 * {@code [i·seqLen, i·seqLen + seqLen]}, each scored from zero state), exactly as the reference PyTorch script
 * computes it.
 *
 * <p>Not thread-safe: it uses the model it is given.
 */
final class Validator {

    /** Windows per forward pass, as the reference script. */
    private static final int BATCH = 64;

    private Validator() {}

    /**
     * @param model the model
     * @param store its parameter store
     * @param manager a manager for temporaries (closed by the caller)
     * @param ids the validation ids
     * @param seqLen the window length
     * @return mean cross-entropy in nats per character
     */
    static double loss(CharLstm model, ParameterStore store, NDManager manager, int[] ids, int seqLen) {
        int windows = EvaluationOptions.windows(ids.length, seqLen); // as `charlstm eval` cuts
        if (windows == 0) {
            throw new IllegalArgumentException(
                    "validation text of " + ids.length + " characters is shorter than one window of " + (seqLen + 1));
        }
        double total = 0;
        long count = 0;
        for (int first = 0; first < windows; first += BATCH) {
            int rows = Math.min(BATCH, windows - first);
            int[] x = new int[rows * seqLen];
            int[] y = new int[rows * seqLen];
            for (int r = 0; r < rows; r++) {
                int start = (first + r) * seqLen;
                System.arraycopy(ids, start, x, r * seqLen, seqLen);
                System.arraycopy(ids, start + 1, y, r * seqLen, seqLen);
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray inputs = step.create(x, new Shape(rows, seqLen));
                NDArray targets = step.create(y, new Shape(rows, seqLen));
                NDArray logits = model.forward(store, new NDList(inputs), false).head();
                double mean = Losses.meanCrossEntropy(logits, targets).getFloat();
                total += mean * rows * seqLen;
                count += (long) rows * seqLen;
            }
        }
        return total / count;
    }

    /** Items per forward pass of a list's validation. */
    private static final int ITEMS = 256;

    /**
     * A list's validation loss, makemore's definition: each held-out item from the zero state after its leading
     * {@code '\n'}, the cross-entropy of each of its characters and of its end, summed over all items and divided by
     * the number of those positions (characters + 1 per item).
     *
     * @param model the model
     * @param store its parameter store
     * @param manager a manager for temporaries (closed by the caller)
     * @param ids the validation part of a list's split
     * @param starts where its items start, then the final end ({@code Split.validationItems()})
     * @return mean cross-entropy in nats per character
     */
    static double itemLoss(CharLstm model, ParameterStore store, NDManager manager, int[] ids, int[] starts) {
        int items = starts.length - 1;
        if (items < 1) {
            throw new IllegalArgumentException("no held-out items to validate on");
        }
        double total = 0;
        long count = 0;
        for (int first = 0; first < items; first += ITEMS) {
            int rows = Math.min(ITEMS, items - first);
            int steps = 1;
            for (int r = 0; r < rows; r++) {
                steps = Math.max(steps, starts[first + r + 1] - starts[first + r]);
            }
            int[] x = new int[rows * steps];
            int[] y = new int[rows * steps];
            Arrays.fill(x, ids[starts[0]]);
            Arrays.fill(y, BatchSampler.PAD);
            for (int r = 0; r < rows; r++) {
                int from = starts[first + r];
                int length = starts[first + r + 1] - from;
                System.arraycopy(ids, from, x, r * steps, length);
                System.arraycopy(ids, from + 1, y, r * steps, length);
                count += length;
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray inputs = step.create(x, new Shape(rows, steps));
                NDArray targets = step.create(y, new Shape(rows, steps));
                NDArray logits = model.forward(store, new NDList(inputs), false).head();
                total += Losses.summedCrossEntropy(logits, targets)
                        .toType(DataType.FLOAT64, false)
                        .getDouble();
            }
        }
        return total / count;
    }
}
