package dev.charlstm.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.charlstm.runtime.pack.GraphSignature;
import dev.charlstm.runtime.pack.ModelInfo;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded character LSTM: an ONNX Runtime session over a model package's single-step graph.
 *
 * <pre>{@code
 * try (CharLstmModel model = CharLstmModel.load(Path.of("models/moby-dick"))) {
 *     model.generate("Call me ", GenerationOptions.builder().maxCharacters(300).seed(7).build(),
 *             ch -> { System.out.print(ch); return true; });
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: any number of threads may share one model, each with its own
 * {@link GenerationStream}s. Owns the native session: close it; closing waits for steps in flight, then frees the
 * session and the native buffers of every stream opened on it. Using it afterwards fails with an
 * {@link IllegalStateException}.
 */
public final class CharLstmModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CharLstmModel.class);

    private final ModelInfo info;
    private final RuntimeOptions options;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String provider;
    private final String[] characterStrings;
    private final int[] characterIds;
    /** Steps hold it shared; freeing native memory holds it exclusively, so nothing is freed under a step. */
    private final StampedLock lock = new StampedLock();
    private final Set<Stepper> steppers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CharLstmModel(ModelInfo info, RuntimeOptions options, OrtEnvironment env, OrtSession session,
            String provider) {
        this.info = info;
        this.options = options;
        this.env = env;
        this.session = session;
        this.provider = provider;
        Vocabulary v = info.vocabulary();
        this.characterStrings = new String[v.size()];
        this.characterIds = v.codePoints();
        for (int i = 0; i < v.size(); i++) {
            characterStrings[i] = new String(Character.toChars(v.codePoint(i)));
        }
    }

    /**
     * Loads a package folder on the CPU with default options.
     *
     * @param dir the package folder
     * @return the model
     * @throws PackageException naming the file and problem if the package is invalid or its graph does not match
     */
    public static CharLstmModel load(Path dir) {
        return load(ModelPackage.read(dir), RuntimeOptions.DEFAULT);
    }

    /**
     * @param dir the package folder
     * @param options provider and threads
     * @return the model
     * @throws PackageException if the package is invalid or cannot be loaded
     */
    public static CharLstmModel load(Path dir, RuntimeOptions options) {
        return load(ModelPackage.read(dir), options);
    }

    /**
     * Loads a package packed as classpath resources (e.g. inside the application's jar).
     *
     * @param folder the resource folder, e.g. {@code models/moby-dick}
     * @param options provider and threads
     * @return the model
     * @throws PackageException if a resource is missing or the package is invalid
     */
    public static CharLstmModel loadResource(String folder, RuntimeOptions options) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(ModelPackage.readResource(folder, loader != null ? loader : CharLstmModel.class.getClassLoader()),
                options);
    }

    /**
     * Loads a package already read into memory.
     *
     * @param pkg the package
     * @param options provider and threads
     * @return the model
     * @throws PackageException if ONNX Runtime cannot load the graph or it does not match the package's description;
     *     nothing native stays open then
     */
    public static CharLstmModel load(ModelPackage pkg, RuntimeOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            String provider = addProvider(so, options.provider());
            session = env.createSession(pkg.modelBytes(), so);
            verifySignature(session, pkg.info());
            CharLstmModel model = new CharLstmModel(pkg.info(), options, env, session, provider);
            LOG.debug("loaded {} on {}", pkg.info(), provider);
            return model;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new PackageException(ModelPackage.MODEL_FILE + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static String addProvider(OrtSession.SessionOptions so, ExecutionProvider requested) throws OrtException {
        if (requested == ExecutionProvider.CPU) {
            return "CPU";
        }
        try {
            so.addCUDA(0);
            return "CUDA";
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            if (requested == ExecutionProvider.GPU) {
                throw new PackageException("ExecutionProvider.GPU was asked for, but ONNX Runtime cannot add the CUDA"
                        + " provider (" + e.getMessage() + "); build with -Pgpu on a machine with CUDA, or use CPU/AUTO");
            }
            LOG.info("CUDA is not available ({}); running on the CPU", e.getMessage());
            return "CPU";
        }
    }

    /** Checks the graph's inputs and outputs against the package's names and dimensions. */
    private static void verifySignature(OrtSession session, ModelInfo info) throws OrtException {
        GraphSignature s = info.signature();
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        if (!in.keySet().equals(Set.of(s.token(), s.h(), s.c()))) {
            throw new PackageException(ModelPackage.MODEL_FILE + ": the graph's inputs are " + in.keySet()
                    + ", vocab.json names " + List.of(s.token(), s.h(), s.c()));
        }
        if (!out.keySet().containsAll(Set.of(s.logits(), s.hOut(), s.cOut()))) {
            throw new PackageException(ModelPackage.MODEL_FILE + ": the graph's outputs are " + out.keySet()
                    + ", vocab.json names " + List.of(s.logits(), s.hOut(), s.cOut()));
        }
        long l = info.layers();
        long h = info.hiddenSize();
        expect(in, s.token(), OnnxJavaType.INT64, -1);
        expect(in, s.h(), OnnxJavaType.FLOAT, l, -1, h);
        expect(in, s.c(), OnnxJavaType.FLOAT, l, -1, h);
        expect(out, s.logits(), OnnxJavaType.FLOAT, -1, info.vocabSize());
        expect(out, s.hOut(), OnnxJavaType.FLOAT, l, -1, h);
        expect(out, s.cOut(), OnnxJavaType.FLOAT, l, -1, h);
    }

    private static void expect(Map<String, NodeInfo> nodes, String name, OnnxJavaType type, long... shape) {
        if (!(nodes.get(name).getInfo() instanceof TensorInfo)) {
            throw new PackageException(ModelPackage.MODEL_FILE + ": " + name + " is not a tensor");
        }
        TensorInfo t = (TensorInfo) nodes.get(name).getInfo();
        long[] actual = t.getShape();
        boolean ok = t.type == type && actual.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            // -1 is the symbolic batch dimension, on both sides
            ok = shape[i] == actual[i] || shape[i] == -1 && actual[i] < 0;
        }
        if (!ok) {
            throw new PackageException(ModelPackage.MODEL_FILE + ": " + name + " is " + t.type + " "
                    + Arrays.toString(actual) + ", but vocab.json describes " + type + " "
                    + Arrays.toString(shape).replace("-1", "batch")
                    + " (V, H and L must match the graph)");
        }
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException ignored) {
                // already failing; the first error is the one to report
            }
        }
    }

    /** @return vocabulary, dimensions and provenance */
    public ModelInfo info() {
        return info;
    }

    /** @return the options the model was loaded with */
    public RuntimeOptions options() {
        return options;
    }

    /** @return the execution provider in use: {@code CPU} or {@code CUDA} */
    public String provider() {
        return provider;
    }

    /**
     * Opens a stream: a conversation with its own state, starting from zero.
     *
     * @return the stream; close it when done
     * @throws IllegalStateException if the model is closed
     */
    public GenerationStream newStream() {
        return new GenerationStream(this, newStepper(1));
    }

    /**
     * Generates a continuation of a prompt to a callback on a fresh stream.
     *
     * @param prompt the prompt (must not be empty)
     * @param options how to generate
     * @param callback receives each character as soon as it is sampled
     * @return the result
     */
    public GenerationResult generate(String prompt, GenerationOptions options, CharacterCallback callback) {
        try (GenerationStream s = newStream()) {
            return s.generate(prompt, options, callback);
        }
    }

    /**
     * Generates a continuation of a prompt on a fresh stream.
     *
     * @param prompt the prompt
     * @param options how to generate
     * @return the result; its text is the continuation
     */
    public GenerationResult generate(String prompt, GenerationOptions options) {
        return generate(prompt, options, ch -> true);
    }

    /**
     * Generates continuations of many prompts together, stepping all streams in one batched graph call per
     * character. Stream {@code i} samples with seed {@code options.seed() + i}, so its text equals
     * {@code generate(prompts.get(i), options with seed + i)}.
     *
     * @param prompts the prompts, none empty
     * @param options how to generate (the seed is the first stream's)
     * @param callback receives (stream index, character) as characters are sampled; may be null
     * @return one result per prompt, in order
     */
    public List<GenerationResult> generateBatch(List<String> prompts, GenerationOptions options,
            BatchCharacterCallback callback) {
        return BatchGeneration.run(this, prompts, options, callback);
    }

    /**
     * @param prompts the prompts
     * @param options how to generate
     * @return one result per prompt
     * @see #generateBatch(List, GenerationOptions, BatchCharacterCallback)
     */
    public List<GenerationResult> generateBatch(List<String> prompts, GenerationOptions options) {
        return generateBatch(prompts, options, null);
    }

    // ---------------------------------------------------------------- for streams and batches

    Stepper newStepper(int batch) {
        long stamp = lock.readLock();
        try {
            ensureOpen();
            Stepper s = new Stepper(env, session, info.signature(), batch, info.layers(), info.hiddenSize(),
                    info.vocabSize());
            steppers.add(s);
            return s;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate ONNX Runtime tensors: " + e.getMessage(), e);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** One graph step, shared with other steps; never concurrent with freeing native memory. */
    void step(Stepper stepper) {
        long stamp = lock.readLock();
        try {
            ensureOpen();
            if (stepper.isClosed()) {
                throw new IllegalStateException("the stream is closed");
            }
            stepper.step();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to step the model: " + e.getMessage(), e);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Frees a stream's (or batch's) tensors once no step is running. */
    void release(Stepper stepper) {
        long stamp = lock.writeLock();
        try {
            stepper.close();
            steppers.remove(stepper);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
    }

    int stateSize() {
        return info.layers() * info.hiddenSize();
    }

    /** @return the one-code-point string of a code point in the vocabulary, without allocating */
    String characterString(int codePoint) {
        return characterStrings[Arrays.binarySearch(characterIds, codePoint)];
    }

    /** Waits for steps in flight, then frees every stream's buffers and the session. Idempotent. */
    @Override
    public void close() {
        long stamp = lock.writeLock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Stepper s : new ArrayList<>(steppers)) {
                s.close();
            }
            steppers.clear();
            closeQuietly(session);
        } finally {
            lock.unlockWrite(stamp);
        }
    }
}
