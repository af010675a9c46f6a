package dev.charlstm.runtime;

import dev.charlstm.runtime.pack.LineItems;

/**
 * One item a model trained on a list wrote ({@link CharLstmModel#generateItems}), labelled as makemore labels its
 * samples. Immutable and thread-safe.
 *
 * @param text the item: the prefix as fed and what the model wrote after it, without the end symbol, cleaned as the
 *     list's items were (whitespace runs collapsed, trimmed); empty if the model ended the item at once
 * @param origin whether the package's training items hold it, its held-out items, or neither (by membership
 *     structures, whose false-positive rate the manifest records: an item labelled {@code TRAINING} may, that rarely,
 *     be new); null for a package that records no items, and for an empty item
 * @param complete true if the model ended the item; false if it was cut at the length cap
 */
public record GeneratedItem(String text, LineItems.Origin origin, boolean complete) {}
