package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlstm.runtime.pack.ModelPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test fixtures every module shares, published in runtime-sdk's test-jar: the packages under
 * {@code src/test/resources/fixtures} (written by the trainer's {@code RuntimeFixtures}, see CONTRIBUTING.md) and the
 * numeric helpers the parity tests use. Packages: {@code tiny} (format 1), {@code tiny-v2} (the same weights, format 2
 * with a sequence graph), {@code tiny-int8} (its static-int8 export), {@code tiny-int8-dynamic} (the earlier
 * dynamic-int8 scheme), {@code controlled}. Thread-safe.
 */
public final class Fixtures {

    /** Format 1: no sequence graph. */
    public static final String TINY = "tiny";
    /** The same weights as {@link #TINY}, format 2 with a sequence graph. */
    public static final String TINY_V2 = "tiny-v2";
    /** The static-int8 export of {@link #TINY_V2}. */
    public static final String TINY_INT8 = "tiny-int8";
    /** A dynamic-int8 export (the earlier scheme). */
    public static final String TINY_INT8_DYNAMIC = "tiny-int8-dynamic";
    /** Vocabulary "abcdef"; every step's distribution is p = 0.4, 0.3, 0.15, 0.1, 0.04, 0.01 whatever the input. */
    public static final String CONTROLLED = "controlled";

    private static final Map<String, Path> FOLDERS = new ConcurrentHashMap<>();

    private Fixtures() {}

    /** @return a small trained model (E16 H32 L2, V=16) on a repetitive lowercase English corpus, format 1 */
    public static CharLstmModel tiny() {
        return load(TINY);
    }

    /** @return the {@link #CONTROLLED} model */
    public static CharLstmModel controlled() {
        return load(CONTROLLED);
    }

    /**
     * @param name a fixture's name, e.g. {@link #TINY_V2}
     * @return the model, loaded from the classpath with default options
     */
    public static CharLstmModel load(String name) {
        return CharLstmModel.loadResource(resource(name), RuntimeOptions.DEFAULT);
    }

    /**
     * @param name a fixture's name
     * @return its package, read from the classpath
     */
    public static ModelPackage read(String name) {
        return ModelPackage.read(Fixtures.class.getClassLoader(), resource(name));
    }

    /**
     * @param name a fixture's name
     * @return its classpath resource folder, e.g. {@code fixtures/tiny-v2}
     */
    public static String resource(String name) {
        return "fixtures/" + name;
    }

    /**
     * A fixture as a package folder on disk, for tests that need a path (a {@code --model} option, Spark's path
     * source): written once per JVM to a temporary folder, which tests must not change (copy it first). It is written
     * in the current format, so {@code folder(TINY)} is not the format 1 package it was read from.
     *
     * @param name a fixture's name
     * @return the folder
     */
    public static Path folder(String name) {
        return FOLDERS.computeIfAbsent(name, n -> {
            try {
                Path dir = Files.createTempDirectory("charlstm-fixture-").resolve(n);
                read(n).write(dir);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * @param a one array
     * @param b another of the same length (asserted)
     * @return the largest absolute element-wise difference
     */
    public static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /**
     * The log-softmax computed independently of the SDK's, in double: the reference for logprob tests.
     *
     * @param logits one row of logits
     * @return log-probabilities in nats
     */
    public static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - max - Math.log(sum);
        }
        return out;
    }
}
