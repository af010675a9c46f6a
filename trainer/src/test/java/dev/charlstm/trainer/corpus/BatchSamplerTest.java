package dev.charlstm.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    private static final int[] IDS = IntStream.range(0, 1000).toArray();

    @Test
    void targetIsTheInputShiftedByOne() {
        BatchSampler s = new BatchSampler(IDS, 8, 20, 7);
        s.batch(0);
        for (int b = 0; b < 8; b++) {
            int start = s.starts()[b];
            for (int t = 0; t < 20; t++) {
                assertEquals(start + t, s.inputs()[b * 20 + t]);
                assertEquals(start + t + 1, s.targets()[b * 20 + t]);
            }
        }
    }

    @Test
    void windowsStayInsideTheTextAndReachItsEnd() {
        int[] ids = IntStream.range(0, 30).toArray();
        BatchSampler s = new BatchSampler(ids, 50, 25, 1);
        boolean sawLast = false;
        for (int k = 0; k < 40; k++) {
            s.batch(k);
            for (int start : s.starts()) {
                assertTrue(start >= 0 && start + 25 < 30, "window " + start);
                sawLast |= start == 4;
            }
        }
        assertTrue(sawLast, "the last window [4, 30) is drawn");
    }

    @Test
    void sameSeedSameBatchesAndBatchKDependsOnlyOnSeedAndK() {
        BatchSampler a = new BatchSampler(IDS, 4, 10, 42);
        BatchSampler b = new BatchSampler(IDS, 4, 10, 42);
        int[][] first = new int[5][];
        for (int k = 0; k < 5; k++) {
            a.batch(k);
            first[k] = a.inputs().clone();
        }
        // b draws them out of order: a resumed run starts at batch k without drawing the ones before
        for (int k = 4; k >= 0; k--) {
            b.batch(k);
            assertArrayEquals(first[k], b.inputs());
        }
        assertFalse(Arrays.equals(first[0], first[1]));
    }

    @Test
    void consecutiveBatchesAreIndependentDraws() {
        // A batch must not repeat the previous batch's windows (say, shifted by one): the model would memorise
        // them and the training loss would fall far below the validation loss.
        int[] ids = IntStream.range(0, 1_000_000).toArray();
        BatchSampler s = new BatchSampler(ids, 32, 128, 0);
        Set<Integer> previous = Set.of();
        int shared = 0;
        for (int k = 0; k < 50; k++) {
            s.batch(k);
            Set<Integer> starts = new HashSet<>();
            for (int start : s.starts()) {
                starts.add(start);
                if (previous.contains(start)) {
                    shared++;
                }
            }
            previous = starts;
        }
        assertTrue(shared <= 2, shared + " windows reappeared in the next batch");
    }

    @Test
    void differentSeedDifferentBatches() {
        BatchSampler a = new BatchSampler(IDS, 4, 10, 1);
        BatchSampler b = new BatchSampler(IDS, 4, 10, 2);
        a.batch(0);
        b.batch(0);
        assertFalse(Arrays.equals(a.starts(), b.starts()));
    }
}
