package dev.charlstm.runtime.pack;

import java.util.Objects;

/**
 * What a package trained on a list (one item per line, {@code charlstm train --lines}) knows about its items: how
 * they were split, the longest, and which items were in the training and the held-out part, as
 * {@link ItemMembership} structures (hashes, not the items). The manifest's {@code items} section.
 *
 * <p>Immutable and thread-safe.
 *
 * @param splitSeed the seed of the held-out sample ({@code EvaluationOptions.heldOutItems})
 * @param heldOutFraction the share of items held out (at most {@code EvaluationOptions.MAX_HELD_OUT_ITEMS})
 * @param maxLength the longest item, in code points (its end symbol not counted)
 * @param training the training part's items
 * @param heldOut the held-out part's items
 */
public record LineItems(
        long splitSeed, double heldOutFraction, int maxLength, ItemMembership training, ItemMembership heldOut) {

    /**
     * @throws IllegalArgumentException if the fraction is outside (0, 1) or the length not positive
     * @throws NullPointerException if a membership structure is null
     */
    public LineItems {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("items.held_out_fraction must be in (0, 1), got " + heldOutFraction);
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("items.max_length must be positive, got " + maxLength);
        }
        Objects.requireNonNull(training, "items.training");
        Objects.requireNonNull(heldOut, "items.held_out");
    }

    /** Where an item stands against a package's items, as makemore labels its samples. */
    public enum Origin {
        /** In the training part (or, with the structure's false-positive rate, mistaken for it). */
        TRAINING,
        /** In the held-out part and not in the training part. */
        HELD_OUT,
        /** In neither: new. */
        NEW
    }

    /**
     * @param item an item as cleaned (one line, NFC)
     * @return {@link Origin#TRAINING} if the training part holds it, else {@link Origin#HELD_OUT} if the held-out part
     *     does, else {@link Origin#NEW}
     */
    public Origin origin(String item) {
        if (training.mightContain(item)) {
            return Origin.TRAINING;
        }
        return heldOut.mightContain(item) ? Origin.HELD_OUT : Origin.NEW;
    }

    /** @return the section as JSON (as in {@code vocab.json}), for a trainer's checkpoint */
    public String toJson() {
        return ManifestJson.itemsJson(this).toString();
    }

    /**
     * @param json a section {@link #toJson()} wrote
     * @return the items it describes
     * @throws IllegalArgumentException naming the field that is missing or invalid
     */
    public static LineItems fromJson(String json) {
        return ManifestJson.readItems(json);
    }
}
