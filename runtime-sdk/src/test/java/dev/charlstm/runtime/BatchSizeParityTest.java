package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.pack.ModelPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A row's logits must not depend on the batch it rides in: the scheduler puts a stream in batches of any size
 * from one step to the next. Steps one row alone and, in lock step, the same row inside batches of 2, 5 and 32
 * (other rows random), and bounds the difference: 1e-5 for float32, 0 for static-int8. On the tiny fixtures, and
 * on the shipped models when the checkout has them.
 */
class BatchSizeParityTest {

    @Test
    void aRowsLogitsDoNotDependOnTheBatchSize() throws Exception {
        check(ModelPackage.read(getClass().getClassLoader(), "fixtures/tiny"), 1e-5);
        // static-int8: exact, not merely close
        check(ModelPackage.read(getClass().getClassLoader(), "fixtures/tiny-int8"), 0);
        Path shipped = Path.of("../models/moby-dick");
        if (Files.isDirectory(shipped)) {
            check(ModelPackage.read(shipped), 1e-5);
            check(ModelPackage.read(Path.of("../models/moby-dick-int8")), 0);
        }
    }

    private static void check(ModelPackage pkg, double bound) throws Exception {
        try (Graph graph = Graph.open(pkg, RuntimeOptions.DEFAULT)) {
            int v = graph.vocabSize;
            Random r = new Random(3);
            double worst = 0;
            for (int size : new int[] {2, 5, 32}) {
                Row alone = new Row(graph);
                Row[] batch = new Row[size];
                for (int i = 0; i < size; i++) {
                    batch[i] = new Row(graph);
                }
                Lane lane = new Lane(graph, size);
                int watched = size / 2;
                try {
                    for (int step = 0; step < 100; step++) {
                        int token = r.nextInt(v);
                        alone.feed(token);
                        for (int i = 0; i < size; i++) {
                            batch[i].feed(i == watched ? token : r.nextInt(v));
                        }
                        alone.stepper.stepAlone(graph.session);
                        lane.run(batch, size);
                        for (int k = 0; k < v; k++) {
                            worst = Math.max(
                                    worst,
                                    Math.abs(alone.stepper.logits().get(k)
                                            - batch[watched].stepper.logits().get(k)));
                        }
                    }
                } finally {
                    lane.close();
                    alone.stepper.close();
                    for (Row row : batch) {
                        row.stepper.close();
                    }
                }
            }
            System.out.printf(
                    "%s: max |logit difference| alone vs in a batch of 2, 5 or 32 over 100 steps: %.3g%n",
                    pkg.manifest(), worst);
            assertTrue(worst <= bound, pkg.manifest() + ": " + worst);
        }
    }
}
