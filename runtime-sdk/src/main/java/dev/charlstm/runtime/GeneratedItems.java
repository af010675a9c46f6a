package dev.charlstm.runtime;

import java.util.List;

/**
 * What {@link CharLstmModel#generateItems} made: the items, and how many samples it drew to make them and why it
 * dropped the others (only with {@link ItemOptions#novel()}). Immutable and thread-safe.
 *
 * @param items the items, in the order of their seeds
 * @param sampled the items sampled in all (seeds {@code seed .. seed + sampled - 1})
 * @param inTraining sampled items dropped because the training items hold them
 * @param repeated sampled items dropped because an earlier one was the same
 * @param unfinished sampled items dropped because they reached the length cap without ending
 */
public record GeneratedItems(List<GeneratedItem> items, int sampled, int inTraining, int repeated, int unfinished) {

    /** Copies the list. */
    public GeneratedItems {
        items = List.copyOf(items);
    }
}
