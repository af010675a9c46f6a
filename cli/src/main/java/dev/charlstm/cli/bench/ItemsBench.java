package dev.charlstm.cli.bench;

import com.google.gson.annotations.SerializedName;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GeneratedItems;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.ItemOptions;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Items per second for a model trained on a list: {@code generateItems(n)} as one batch beside the same n items made
 * one call at a time (seed by seed, so both make exactly the same items), in alternating rounds (batched, one at a
 * time, batched, ...) so that the machine's drift falls on both, after one untimed round of each. As JSON the keys are
 * snake_case with their unit, as {@code bench --json}'s. Stateless.
 */
public final class ItemsBench {

    private ItemsBench() {}

    /**
     * The figures.
     *
     * @param items items per round
     * @param rounds rounds of each
     * @param batchedItemsPerSecond each batched round's items per second
     * @param oneAtATimeItemsPerSecond each one-at-a-time round's
     * @param characters characters in the items (the same in every round)
     */
    public record Result(
            int items,
            int rounds,
            @SerializedName("batched_items_per_s") List<Double> batchedItemsPerSecond,
            @SerializedName("one_at_a_time_items_per_s") List<Double> oneAtATimeItemsPerSecond,
            long characters) {

        /** @return the medians and their ratio, as a table */
        public String table() {
            double b = median(batchedItemsPerSecond);
            double o = median(oneAtATimeItemsPerSecond);
            return String.format(
                    Locale.ROOT,
                    "items %d (%d characters), %d rounds each, medians:%n"
                            + "  batched (one generateItems(%d))     %10.0f items/s%n"
                            + "  one at a time (%d x generateItems(1)) %8.0f items/s%n"
                            + "  ratio                                %10.1fx%n",
                    items,
                    characters,
                    rounds,
                    items,
                    b,
                    items,
                    o,
                    b / o);
        }
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /**
     * @param pkg a package trained on a list
     * @param runtime runtime options
     * @param items items per round
     * @param rounds rounds of each way
     * @return the figures
     * @throws IllegalStateException if the package was not trained on a list, or the two ways made different items
     */
    public static Result run(ModelPackage pkg, RuntimeOptions runtime, int items, int rounds) {
        try (CharLstmModel m = CharLstmModel.load(pkg, runtime)) {
            int cap = Math.max(
                    16,
                    2
                            * (m.manifest().items() == null
                                    ? 16
                                    : m.manifest().items().maxLength()));
            GenerationOptions g =
                    GenerationOptions.builder().maxCharacters(cap).seed(1).build();
            m.generateItems(
                    Math.min(items, 64), ItemOptions.builder().generation(g).build()); // warm-up
            List<Double> batched = new ArrayList<>();
            List<Double> single = new ArrayList<>();
            long characters = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                GeneratedItems all = m.generateItems(
                        items, ItemOptions.builder().generation(g).build());
                batched.add(items / ((System.nanoTime() - t0) / 1e9));
                long t1 = System.nanoTime();
                List<String> one = new ArrayList<>(items);
                for (int i = 0; i < items; i++) {
                    one.add(m.generateItems(
                                    1,
                                    ItemOptions.builder()
                                            .generation(
                                                    g.toBuilder().seed(1 + i).build())
                                            .build())
                            .items()
                            .get(0)
                            .text());
                }
                single.add(items / ((System.nanoTime() - t1) / 1e9));
                characters = 0;
                for (int i = 0; i < items; i++) {
                    String text = all.items().get(i).text();
                    characters += text.codePointCount(0, text.length()) + 1;
                    if (!text.equals(one.get(i))) {
                        throw new IllegalStateException("item " + i + " differs between the batch (\"" + text
                                + "\") and one at a time (\"" + one.get(i) + "\")");
                    }
                }
            }
            return new Result(items, rounds, batched, single, characters);
        }
    }
}
