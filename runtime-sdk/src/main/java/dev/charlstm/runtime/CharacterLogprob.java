package dev.charlstm.runtime;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A character's log-probability under the model: {@code log_softmax(logits)[character]}, in nats, of the model's
 * own distribution (before temperature, top-k, top-p or repetition penalty, which shape only the draw), and
 * optionally the most likely characters at that position with theirs. Immutable and thread-safe.
 *
 * @param character the character (one code point)
 * @param logprob its natural-log probability, at most 0
 * @param topLogprobs the most likely characters at its position, most likely first (ties: lower vocabulary id
 *     first), each with an empty list of its own; empty when none were asked for
 */
public record CharacterLogprob(String character, double logprob, List<CharacterLogprob> topLogprobs) {

    /** Copies the list. */
    public CharacterLogprob {
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** @return the probability, {@code exp(logprob)} */
    public double probability() {
        return Math.exp(logprob);
    }

    /**
     * Scores one position.
     *
     * @param logits the row's logits, [V] from {@code offset}
     * @param id the character's id
     * @param top how many alternatives to list (0 = none)
     * @param characters index = id: the character's string
     */
    static CharacterLogprob of(FloatBuffer logits, int offset, int v, int id, int top, String[] characters) {
        double logZ = logSumExp(logits, offset, v);
        List<CharacterLogprob> alternatives = List.of();
        int k = Math.min(top, v);
        if (k > 0) {
            // k passes over V: k is at most 20 and V a few hundred, so a selection beats sorting V
            int[] best = new int[k];
            alternatives = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                int arg = -1;
                for (int i = 0; i < v; i++) {
                    if (taken(best, j, i)) {
                        continue;
                    }
                    if (arg < 0 || logits.get(offset + i) > logits.get(offset + arg)) {
                        arg = i;
                    }
                }
                best[j] = arg;
                alternatives.add(new CharacterLogprob(characters[arg], logits.get(offset + arg) - logZ, List.of()));
            }
        }
        return new CharacterLogprob(characters[id], logits.get(offset + id) - logZ, alternatives);
    }

    /**
     * The one log-softmax normaliser (logprobs here, cross-entropy in {@code evaluate}): {@code log Σ exp(x)} over
     * a row of V logits, in double, stabilised by the row's maximum.
     */
    static double logSumExp(FloatBuffer logits, int offset, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits.get(offset + i));
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            sum += Math.exp(logits.get(offset + i) - max);
        }
        return max + Math.log(sum);
    }

    private static boolean taken(int[] best, int n, int id) {
        for (int j = 0; j < n; j++) {
            if (best[j] == id) {
                return true;
            }
        }
        return false;
    }
}
