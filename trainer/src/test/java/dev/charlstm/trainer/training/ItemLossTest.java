package dev.charlstm.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.pack.ModelShape;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.corpus.BatchSampler;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusReader;
import dev.charlstm.trainer.corpus.Split;
import dev.charlstm.trainer.model.CharLstm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A list's validation loss is makemore's definition, checked against a computation by hand. */
class ItemLossTest {

    private static final Engine ENGINE = TorchEngine.start(0);

    @Test
    void meanCrossEntropyOverEachItemsCharactersAndEndFromTheStartState(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("list.txt");
        Files.writeString(f, "ab\nba\nabba\nb\naab\nbb\nba\nabab\naa\nbab\nbbb\na\n");
        Corpus c = new CorpusReader(TextCleaning.builder().lines(true).build()).read(f);
        Split s = c.split(0.25, c.vocabulary(), 2);
        int[] ids = s.validation();
        int[] starts = s.validationItems();
        try (NDManager m = NDManager.newBaseManager(ENGINE.defaultDevice(), ENGINE.getEngineName())) {
            ENGINE.setRandomSeed(3);
            CharLstm model = new CharLstm(new ModelShape(c.vocabulary().size(), 4, 8, 2, 0f));
            model.initialize(m);
            ParameterStore store = new ParameterStore(m, false);
            double loss = Validator.itemLoss(model, store, m, ids, starts);

            // by hand: each item alone (no padding), from zero state, -log softmax of every target, in double
            double total = 0;
            int count = 0;
            for (int k = 0; k + 1 < starts.length; k++) {
                int length = starts[k + 1] - starts[k]; // '\n' + characters: the inputs
                int[] x = new int[length];
                System.arraycopy(ids, starts[k], x, 0, length);
                NDArray logits = model.forward(store, new NDList(m.create(x, new Shape(1, length))), false)
                        .head();
                float[] l = logits.toFloatArray();
                int v = c.vocabulary().size();
                for (int t = 0; t < length; t++) {
                    int target = ids[starts[k] + t + 1]; // the next character, or the item's end
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < v; j++) {
                        max = Math.max(max, l[t * v + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < v; j++) {
                        sum += Math.exp(l[t * v + j] - max);
                    }
                    total += max + Math.log(sum) - l[t * v + target];
                    count++;
                }
            }
            assertEquals(3, starts.length - 1, "a quarter of 12 items is held out");
            assertEquals(total / count, loss, 1e-5);

            // and the training loss over a padded batch is the same mean over its real positions only
            BatchSampler sampler = BatchSampler.items(ids, starts, 3, 8, 0);
            sampler.batch(0);
            int steps = sampler.steps();
            NDArray x = m.create(Arrays.copyOf(sampler.inputs(), 3 * steps), new Shape(3, steps));
            NDArray y = m.create(Arrays.copyOf(sampler.targets(), 3 * steps), new Shape(3, steps));
            NDArray logits = model.forward(store, new NDList(x), false).head();
            double masked = Losses.training(logits, y, Preset.TINY.config().optimisation(), true)
                    .getFloat();
            double summed = Losses.summedCrossEntropy(logits, y).getFloat();
            long real = Arrays.stream(sampler.targets(), 0, 3 * steps)
                    .filter(t -> t != BatchSampler.PAD)
                    .count();
            assertEquals(summed / real, masked, 1e-5);
        }
    }
}
