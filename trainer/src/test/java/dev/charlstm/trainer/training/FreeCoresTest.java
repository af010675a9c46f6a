package dev.charlstm.trainer.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The default thread count follows the cores that are free, so training never asks for cores it cannot have. */
class FreeCoresTest {

    @Test
    void busyCoresAreNotCounted() throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        int idle = TorchEngine.freeCores();
        assertTrue(idle >= 1 && idle <= cores, "idle: " + idle);
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] burners = new Thread[cores];
        for (int i = 0; i < cores; i++) {
            burners[i] = new Thread(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += x * 31 + 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            burners[i].start();
        }
        try {
            Thread.sleep(50);
            int busy = TorchEngine.freeCores();
            // the probe's threads get about half of each core: half the cores (one of two here) are free
            assertTrue(busy <= Math.max(1, (cores + 1) / 2), "every core already busy, yet " + busy + " chosen");
        } finally {
            stop.set(true);
            for (Thread t : burners) {
                t.join();
            }
        }
    }
}
