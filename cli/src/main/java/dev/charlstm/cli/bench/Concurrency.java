package dev.charlstm.cli.bench;

import com.google.gson.annotations.SerializedName;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.GenerationStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many users at once: {@code threads} threads, each with its own stream, generate {@code characters} characters
 * with sampling at the same time. Total characters per second over the wall time of the whole round, and the
 * per-character latency (time between consecutive characters of a stream, the first counted from the call).
 * Continuous batching on and off are measured twice each, off-on-on-off, and averaged.
 * Stateless.
 */
final class Concurrency {

    private Concurrency() {}

    /**
     * What one round measured. Immutable.
     *
     * @param charsPerSecond all threads' characters over the round's wall time
     * @param p50Micros median time per character, over every character of every stream
     * @param p99Micros 99th percentile of the same
     */
    record Figures(
            @SerializedName("chars_per_s") double charsPerSecond,
            @SerializedName("p50_us") double p50Micros,
            @SerializedName("p99_us") double p99Micros) {

        /** @return the mean of two rounds, figure by figure */
        static Figures mean(Figures a, Figures b) {
            return new Figures(
                    (a.charsPerSecond + b.charsPerSecond) / 2,
                    (a.p50Micros + b.p50Micros) / 2,
                    (a.p99Micros + b.p99Micros) / 2);
        }
    }

    /** The same round with continuous batching on and off. Immutable. */
    record OnOff(Figures on, Figures off) {}

    static Figures round(CharLstmModel model, String prompt, int threads, int characters) throws InterruptedException {
        long[][] gaps = new long[threads][characters];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers[t] = new Thread(
                    () -> {
                        GenerationOptions o = GenerationOptions.builder()
                                .maxCharacters(characters)
                                .seed(index)
                                .build();
                        try (GenerationStream s = model.newStream()) {
                            long[] mine = gaps[index];
                            int[] i = {0};
                            long[] last = {0};
                            ready.countDown();
                            go.await();
                            last[0] = System.nanoTime();
                            GenerationResult r = s.generate(prompt, o, ch -> {
                                long now = System.nanoTime();
                                mine[i[0]++] = now - last[0];
                                last[0] = now;
                                return true;
                            });
                            if (r.generatedCharacters() != characters) {
                                throw new IllegalStateException("a stream generated " + r.generatedCharacters());
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "bench-" + t);
            workers[t].start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long wall = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark stream failed: " + failure.get(), failure.get());
        }
        long[] all = new long[threads * characters];
        for (int t = 0; t < threads; t++) {
            System.arraycopy(gaps[t], 0, all, t * characters, characters);
        }
        Arrays.sort(all);
        return new Figures(
                (double) threads * characters / (wall / 1e9),
                all[all.length / 2] / 1e3,
                all[(int) (all.length * 0.99)] / 1e3);
    }
}
