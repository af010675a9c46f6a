package dev.charlstm.runtime;

import java.util.List;

/**
 * What {@link CharLstmModel#generateItems} made: the items, and how many samples it drew to make them and why it
 * dropped the others (only with {@link ItemOptions#novel()}). Immutable and thread-safe.
 *
 * @param items the items, in the order of their seeds
 * @param sampled the items sampled in all (seeds {@code seed .. seed + sampled - 1})
 * @param inTraining sampled items dropped because the training items hold them
 * @param inHeldOut sampled items dropped because the held-out items hold them (real items, if not trained on)
 * @param repeated sampled items dropped because an earlier one was the same
 * @param unfinished sampled items dropped because they reached the length cap without ending
 * @param empty sampled items dropped because the model ended them at once (a list has no empty items)
 */
public record GeneratedItems(
        List<GeneratedItem> items,
        int sampled,
        int inTraining,
        int inHeldOut,
        int repeated,
        int unfinished,
        int empty) {

    /** Copies the list. */
    public GeneratedItems {
        items = List.copyOf(items);
    }
}
