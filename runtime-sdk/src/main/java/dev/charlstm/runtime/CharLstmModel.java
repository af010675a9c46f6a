package dev.charlstm.runtime;

import dev.charlstm.runtime.pack.LineItems;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import dev.charlstm.runtime.pack.Quantization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
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
 * <p>Thread-safe: any number of threads may share one model, each with its own {@link GenerationStream}s. Streams
 * that generate at the same time share batched graph calls (continuous batching, see {@link RuntimeOptions}): one
 * call for 32 rows costs far less than 32 calls for one, and each stream still writes exactly what it would alone
 * with the same seed, with a float32 package and with a static-int8 one (whose rows are computed in integers, each
 * on its own: {@link Quantization}). The one exception is a package of the earlier
 * dynamic-int8 scheme, which quantizes activations per graph call: there a row depends by rounding on the rows it
 * shares a call with (loading one logs a warning once; {@code charlstm export --package OLD --quantize int8}
 * rewrites it).
 *
 * <p>Prompts of {@value Decoder#PREFILL_MIN} characters or more are primed through the package's sequence graph,
 * {@value Decoder#PREFILL_CHUNK} characters per call, on the calling thread, before the stream joins any batch. Owns the native session: close it. Closing ends every generation in progress with an
 * {@link ModelClosedException} within about one step, waits for the graph calls already
 * running, then frees the session and the native buffers of every stream opened on it. Using it afterwards fails
 * with an {@link IllegalStateException}.
 */
public final class CharLstmModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CharLstmModel.class);
    /** The dynamic-int8 warning is given once per JVM, not once per load. */
    private static final AtomicBoolean WARNED_BATCH_DEPENDENT = new AtomicBoolean();
    /** The longest a waiting row waits for the others of its call (a slow callback delays them at most this). */
    private static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ModelManifest manifest;
    private final RuntimeOptions options;
    private final Graph graph;
    /** The most items {@link #generateItems} generates in one batch (it makes more in rounds). */
    private static final int ITEM_BATCH = 4096;

    /** The scheduler every stream shares; null when continuous batching is off. */
    private final Scheduler shared;
    /** Index = token id: the one-code-point string emitted for it, made once. */
    final String[] characterStrings;

    private final Set<Row> rows = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CharLstmModel(ModelManifest manifest, RuntimeOptions options, Graph graph) {
        this.manifest = manifest;
        this.options = options;
        this.graph = graph;
        // One lane per core: a call runs on its calling thread (plus its intra-op threads), so two calls at once
        // keep two cores busy, while more calls than cores would only fight over them.
        int lanes = Math.max(1, Runtime.getRuntime().availableProcessors() / options.intraOpThreads());
        this.shared = options.continuousBatching()
                ? new Scheduler(graph, options.maxRowsPerCall(), lanes, GATHER_NANOS)
                : null;
        Vocabulary v = manifest.vocabulary();
        this.characterStrings = new String[v.size()];
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
     * @param options device, threads and batching
     * @return the model
     * @throws PackageException if the package is invalid or cannot be loaded
     */
    public static CharLstmModel load(Path dir, RuntimeOptions options) {
        return load(ModelPackage.read(dir), options);
    }

    /**
     * Loads a package packed as classpath resources with default options (the CPU, continuous batching).
     *
     * @param folder the resource folder, e.g. {@code models/moby-dick}
     * @return the model
     * @throws PackageException if a resource is missing or the package is invalid
     * @see #loadResource(String, RuntimeOptions)
     */
    public static CharLstmModel loadResource(String folder) {
        return loadResource(folder, RuntimeOptions.DEFAULT);
    }

    /**
     * Loads a package packed as classpath resources (e.g. inside the application's jar).
     *
     * @param folder the resource folder, e.g. {@code models/moby-dick}
     * @param options device, threads and batching
     * @return the model
     * @throws PackageException if a resource is missing or the package is invalid
     */
    public static CharLstmModel loadResource(String folder, RuntimeOptions options) {
        return load(ModelPackage.read(Thread.currentThread().getContextClassLoader(), folder), options);
    }

    /**
     * Loads a package already read into memory.
     *
     * @param pkg the package
     * @param options device, threads and batching
     * @return the model
     * @throws PackageException if ONNX Runtime cannot load the graph or it does not match the package's description;
     *     nothing native stays open then
     */
    public static CharLstmModel load(ModelPackage pkg, RuntimeOptions options) {
        Graph graph = Graph.open(pkg, options);
        CharLstmModel model = new CharLstmModel(pkg.manifest(), options, graph);
        if (pkg.manifest().quantization() != null
                && !pkg.manifest().quantization().rowExact()
                && !WARNED_BATCH_DEPENDENT.getAndSet(true)) {
            LOG.warn(
                    "{}: a {} package quantizes activations per graph call, so a seeded stream's text can depend on"
                            + " the streams batched with it; rewrite it exact per row with: charlstm export --package {}"
                            + " --out NEW --quantize int8",
                    pkg.source(),
                    pkg.manifest().quantization().method(),
                    pkg.source());
        }
        LOG.debug("loaded {} on {} ({})", pkg.manifest(), graph.provider, options);
        return model;
    }

    /** @return vocabulary, dimensions and provenance */
    public ModelManifest manifest() {
        return manifest;
    }

    /** @return the options the model was loaded with */
    public RuntimeOptions options() {
        return options;
    }

    /**
     * Creates the sequence graph's session now instead of at the first prompt long enough to need it (a server
     * may call this at start-up, so its first long prompt does not pay for it), and checks the graph against the
     * package.
     *
     * @return whether the package has a sequence graph
     * @throws PackageException if ONNX Runtime cannot load it or it does not match
     * @throws ModelClosedException if the model is closed
     */
    public boolean prepareSequenceGraph() {
        ensureOpen();
        return graph.sequence() != null;
    }

    /** @return the execution provider in use: {@code CPU} or {@code CUDA} */
    public String provider() {
        return graph.provider;
    }

    /**
     * Opens a stream: a conversation with its own state, starting from zero.
     *
     * @return the stream; close it when done
     * @throws ModelClosedException if the model is closed
     */
    public GenerationStream newStream() {
        return new GenerationStream(this, newRow());
    }

    /**
     * Generates a continuation of a prompt to a callback on a fresh stream.
     *
     * @param prompt the prompt (must not be empty)
     * @param options how to generate
     * @param callback receives each character as soon as it is sampled, on this thread
     * @return the result
     * @see GenerationStream#generate(CharSequence, GenerationOptions, CharacterCallback)
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
     * Generates many requests together: every row that needs a step (a prompt character or a sampled one) is
     * stepped in one batched graph call per character, up to {@link RuntimeOptions#maxRowsPerCall()} rows a call.
     * Each request has its own prompt and options, and its result is exactly what
     * {@code generate(request.prompt(), request.options())} returns alone.
     *
     * @param requests the requests
     * @param callback receives (request index, character) as characters are sampled, on this thread; may be null.
     *     If it throws a RuntimeException for a request, that request ends with {@link FinishReason#ERROR} and the
     *     others go on; an {@link Error} ends the call.
     * @return one result per request, in order
     * @throws IllegalArgumentException naming the request, if a prompt is empty or holds an unknown character
     *     under {@link UnknownCharacterPolicy#ERROR} (checked before anything is generated)
     * @throws ModelClosedException if the model is closed (also while generating)
     */
    public List<GenerationResult> generateBatch(List<GenerationRequest> requests, BatchCharacterCallback callback) {
        ensureOpen();
        int n = requests.size();
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) {
            try {
                prompts[i] = encode(requests.get(i).prompt(), requests.get(i).options());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("request " + i + ": " + e.getMessage(), e);
            }
            if (prompts[i].length == 0) {
                throw new IllegalArgumentException("request " + i + ": "
                        + emptyPrompt(requests.get(i).prompt(), requests.get(i).options()));
            }
        }
        Decoder[] decoders = new Decoder[n];
        try {
            for (int i = 0; i < n; i++) {
                int index = i;
                CharacterCallback sink = callback == null
                        ? ch -> true
                        : new CharacterCallback() {
                            @Override
                            public boolean onCharacter(String ch) {
                                return callback.onCharacter(index, ch);
                            }

                            @Override
                            public boolean onCharacter(String ch, CharacterLogprob logprob) {
                                return callback.onCharacter(index, ch, logprob);
                            }
                        };
                decoders[i] =
                        new Decoder(newRow(), this, prompts[i], requests.get(i).options(), sink);
            }
            drive(decoders, true, null);
            List<GenerationResult> results = new ArrayList<>(n);
            for (Decoder d : decoders) {
                results.add(d.result());
            }
            return results;
        } finally {
            for (Decoder d : decoders) {
                if (d != null) {
                    release(d.row());
                }
            }
        }
    }

    /**
     * @param requests the requests
     * @return one result per request, in order
     * @see #generateBatch(List, BatchCharacterCallback)
     */
    public List<GenerationResult> generateBatch(List<GenerationRequest> requests) {
        return generateBatch(requests, null);
    }

    /**
     * The same options for many prompts: prompt {@code i} samples with seed {@code options.seed() + i}, so its text
     * equals {@code generate(prompts.get(i), options with seed + i)}.
     *
     * @param prompts the prompts, none empty
     * @param options how to generate (the seed is the first prompt's)
     * @param callback receives (prompt index, character) as characters are sampled; may be null
     * @return one result per prompt, in order
     * @see #generateBatch(List, BatchCharacterCallback)
     */
    public List<GenerationResult> generateBatch(
            List<String> prompts, GenerationOptions options, BatchCharacterCallback callback) {
        List<GenerationRequest> requests = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            requests.add(GenerationRequest.of(
                    prompts.get(i), options.toBuilder().seed(options.seed() + i).build()));
        }
        return generateBatch(requests, callback);
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

    /**
     * Makes new items with a model trained on a list ({@code charlstm train --lines}): each item starts from the zero
     * state after the end-of-item symbol {@code '\n'} (then the prefix), and ends at the model's next {@code '\n'} or
     * at {@code maxCharacters} characters after the prefix. Each item is cleaned as the list's items were (whitespace
     * runs collapsed, trimmed) before it is labelled. The items are generated as one batch (every item stepped in the
     * same graph calls; above 4,096 items, in batches of 4,096), item {@code i} sampling with seed {@code seed + i},
     * so a seed reproduces the list, and each item is the one {@code generateItems(1, ...)} with seed
     * {@code seed + i} makes alone. With {@link ItemOptions#novel()} it keeps sampling (seeds {@code seed + n}, ...)
     * until it has {@code n} new items (not among the training or held-out items, not empty, not repeated, ended by
     * the model), or has drawn {@code 100 n + 1000} samples; then it returns what it has. The items are held in
     * memory until the call returns.
     *
     * @param n the number of items wanted, at least 0
     * @param options generation options, prefix, novelty
     * @return the items (fewer than {@code n} only with {@code novel}, when the samples ran out) and what was dropped
     * @throws IllegalStateException if the package was not trained on a list, or {@code novel} is asked of a package
     *     that records no items
     * @throws UnknownCharacterException if the prefix holds a character the vocabulary lacks (under the options'
     *     {@link UnknownCharacterPolicy#ERROR}); its index counts in the prefix as cleaned
     * @throws IllegalArgumentException if {@code n} is negative, the prefix holds a line break, the options have stop
     *     sequences (an item ends at its end symbol), or the replacement character is not in the vocabulary
     * @throws ModelClosedException if the model is closed
     */
    public GeneratedItems generateItems(int n, ItemOptions options) {
        ensureOpen();
        if (!manifest.lines()) {
            throw new IllegalStateException("this model was not trained on a list (charlstm train --lines), so it has"
                    + " no notion of an item; generate text with generate()");
        }
        if (n < 0) {
            throw new IllegalArgumentException("the number of items must be >= 0, got " + n);
        }
        LineItems known = manifest.items();
        if (options.novel() && known == null) {
            throw new IllegalStateException("the package records no items (no items section in its manifest), so new"
                    + " items cannot be told from training ones; generate without novel");
        }
        GenerationOptions base = options.generation();
        if (!base.stopSequences().isEmpty()) {
            throw new IllegalArgumentException("an item ends at the model's end symbol (a line break): stop sequences"
                    + " do not apply to items, got " + base.stopSequences());
        }
        TextCleaning cleaning = manifest.textCleaning();
        String raw = options.prefix();
        if (raw.indexOf('\n') >= 0 || raw.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the prefix holds a line break, which ends an item: give one line");
        }
        List<String> cleanedPrefix = cleaning.items(raw);
        String prefix = cleanedPrefix.isEmpty() ? "" : cleanedPrefix.get(0);
        GenerationOptions g = base.toBuilder()
                .stopSequences("\n")
                .emitStopSequence(false)
                .cleanPrompt(false)
                .build();
        int[] fed;
        try {
            fed = encode("\n" + prefix, g);
        } catch (UnknownCharacterException e) {
            // counted in the prefix, not in the end symbol fed before it
            throw new UnknownCharacterException(e.codePoint(), e.index() - 1, prefix);
        }
        // the prefix as the model was fed it (characters skipped or replaced by the options' policy)
        StringBuilder fedText = new StringBuilder();
        for (int i = 1; i < fed.length; i++) {
            fedText.append(characterStrings[fed[i]]);
        }
        String fedPrefix = fedText.toString();
        String prompt = "\n" + fedPrefix;
        List<GeneratedItem> items = new ArrayList<>((int) Math.min(n, ITEM_BATCH));
        Set<String> seen = new HashSet<>();
        long limit = options.novel() ? 100L * n + 1000 : n;
        int drawn = 0; // seeds used: seed .. seed + drawn - 1
        int sampled = 0; // of those, looked at (a round may draw more than it needs)
        int[] dropped = new int[5]; // training, held-out, repeated, unfinished, empty
        while (items.size() < n && drawn < limit) {
            // at most ITEM_BATCH rows a round: a million items do not hold a million rows' buffers at once
            int batch = (int) Math.min(
                    ITEM_BATCH,
                    options.novel() ? Math.min(limit - drawn, Math.max(16, 2L * (n - items.size()))) : n - drawn);
            List<GenerationRequest> requests = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                requests.add(GenerationRequest.of(
                        prompt, g.toBuilder().seed(g.seed() + drawn + i).build()));
            }
            drawn += batch;
            for (GenerationResult r : generateBatch(requests)) {
                if (items.size() == n) {
                    break;
                }
                sampled++;
                // cleaned as the list's items were, so that "john " is the item "john"
                List<String> cleaned = cleaning.items(fedPrefix + r.text());
                String text = cleaned.isEmpty() ? "" : cleaned.get(0);
                boolean complete = r.finishReason() == FinishReason.STOP_SEQUENCE;
                LineItems.Origin origin = known == null || text.isEmpty() ? null : known.origin(text);
                if (options.novel()) {
                    int why = !complete
                            ? 3
                            : text.isEmpty()
                                    ? 4
                                    : origin == LineItems.Origin.TRAINING
                                            ? 0
                                            : origin == LineItems.Origin.HELD_OUT ? 1 : seen.add(text) ? -1 : 2;
                    if (why >= 0) {
                        dropped[why]++;
                        continue;
                    }
                }
                items.add(new GeneratedItem(text, origin, complete));
            }
        }
        return new GeneratedItems(items, sampled, dropped[0], dropped[1], dropped[2], dropped[3], dropped[4]);
    }

    /**
     * The model's loss on a text, by the trainer's definition of validation loss: the text is encoded with the
     * model's vocabulary, its held-out tail (or all of it) is cut into windows of {@code w + 1} code points that
     * overlap by one, each window is run from zero state, and the cross-entropy of each of its last {@code w}
     * characters given those before it is averaged over all windows. On the text a package was trained on, cleaned
     * as its manifest says ({@code charlstm eval} does that), it reproduces the recorded validation loss. Windows
     * run many at a time through the sequence graph (or the step graph when the package has none).
     *
     * @param text the text, cleaned as the model's training text was
     * @param options what to score: defaults reproduce the package's validation
     * @return the loss and what was scored
     * @throws IllegalArgumentException naming the index and character if the text holds one the vocabulary lacks,
     *     if the part to score is shorter than one window, or if the package records no window or held-out
     *     fraction and the options give none
     * @throws IllegalStateException if ONNX Runtime fails ({@link ModelClosedException} if the model is closed)
     */
    public EvaluationResult evaluate(CharSequence text, EvaluationOptions options) {
        ensureOpen();
        return Evaluator.evaluate(this, text, options);
    }

    /**
     * Scores a text: the log-probability of each of its characters after the first, given every character before
     * it, from the zero state (the first has nothing to be predicted from). The sum of the logprobs over a window is
     * minus the cross-entropy {@link #evaluate} averages. Runs through the sequence graph (the step graph when the
     * package has none), 256 characters a call.
     *
     * @param text the text (in the model's normal form once normalised, as prompts are)
     * @param topLogprobs how many of the most likely characters to list at each position (0 = none)
     * @return one entry per character from the second: {@code codePointCount - 1} entries (none for a text of one)
     * @throws UnknownCharacterException naming the index and character if the text holds one the vocabulary lacks
     * @throws IllegalArgumentException if {@code topLogprobs} is negative
     * @throws ModelClosedException if the model is closed
     */
    public List<CharacterLogprob> logprobs(CharSequence text, int topLogprobs) {
        ensureOpen();
        return Evaluator.logprobs(this, text, topLogprobs);
    }

    /**
     * Checks a prompt as {@link #generate} and {@link #generateBatch} would, without generating: for callers that
     * must turn a bad request into an error of its own (a server's 400, a batch job's error column) before queueing
     * it with others.
     *
     * @param prompt the prompt
     * @param options supplies the unknown-character policy
     * @throws UnknownCharacterException naming the character and its index, under {@link UnknownCharacterPolicy#ERROR}
     * @throws IllegalArgumentException if nothing is left to feed (empty, or every character skipped), or the
     *     replacement character is not in the vocabulary
     */
    public void checkPrompt(CharSequence prompt, GenerationOptions options) {
        if (encode(prompt, options).length == 0) {
            throw new IllegalArgumentException(emptyPrompt(prompt, options));
        }
    }

    // ---------------------------------------------------------------- for streams and batches

    private Row newRow() {
        ensureOpen();
        Row r = new Row(graph);
        rows.add(r);
        if (closed) { // closed meanwhile: close() may not have seen this row
            release(r);
            ensureOpen();
        }
        return r;
    }

    /** Runs decoders to their end on the shared scheduler, or on a private one when batching is off. */
    void drive(Decoder[] decoders, boolean isolateErrors, BooleanSupplier until) {
        if (shared != null) {
            Decoder.run(shared, decoders, isolateErrors, until);
            return;
        }
        Scheduler own = new Scheduler(graph, options.maxRowsPerCall(), 1, 0);
        try {
            Decoder.run(own, decoders, isolateErrors, until);
        } finally {
            own.close();
            own.freeLanes();
        }
    }

    /** Frees a row's native buffers; its driving thread has let go of it (no graph call uses it). */
    void release(Row r) {
        r.stepper.close();
        rows.remove(r);
    }

    /**
     * Encodes text as token ids, handling unknown characters as the options say.
     *
     * @throws UnknownCharacterException with {@link UnknownCharacterPolicy#ERROR}
     * @throws IllegalArgumentException if the replacement character is not in the vocabulary
     */
    int[] encode(CharSequence text, GenerationOptions options) {
        Vocabulary vocab = manifest.vocabulary();
        boolean cleaned = false;
        if (options.cleanPrompt()) {
            String c = manifest.textCleaning().cleanPrompt(text);
            cleaned = !c.contentEquals(text);
            text = c;
        }
        // in the model's normal form first (NFC for packages that record it): "é" typed either way is one character
        int[] cps = manifest.normalize(text).codePoints().toArray();
        int[] ids = new int[cps.length];
        int n = 0;
        int replacementId = -1;
        if (options.unknownCharacters() == UnknownCharacterPolicy.REPLACE) {
            replacementId = vocab.idOf(options.replacement());
            if (replacementId < 0) {
                throw new IllegalArgumentException("the replacement character "
                        + Vocabulary.describe(options.replacement()) + " is not in the model's vocabulary either");
            }
        }
        for (int i = 0; i < cps.length; i++) {
            int id = vocab.idOf(cps[i]);
            if (id < 0) {
                switch (options.unknownCharacters()) {
                    case SKIP:
                        continue;
                    case REPLACE:
                        id = replacementId;
                        break;
                    default:
                        throw new UnknownCharacterException(cps[i], i, cleaned ? new String(cps, 0, cps.length) : null);
                }
            }
            ids[n++] = id;
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    Graph graph() {
        return graph;
    }

    /** @return rows whose native buffers are allocated (for tests) */
    int liveRows() {
        return rows.size();
    }

    /** @return the shared scheduler's {graph calls, rows stepped}, or null when continuous batching is off */
    long[] schedulerCounts() {
        return shared == null ? null : shared.counts();
    }

    /** The message for a prompt with nothing to feed on a stream with nothing fed. */
    /** Why a prompt left nothing to feed: it was empty, cleaning left nothing, or every character was skipped. */
    String emptyPrompt(CharSequence prompt, GenerationOptions options) {
        String why = prompt.length() == 0
                ? ""
                : options.cleanPrompt()
                                && manifest.textCleaning().cleanPrompt(prompt).isEmpty()
                        ? " once cleaned (it holds only spaces and line breaks)"
                        : " once unknown characters are skipped";
        return "the prompt is empty" + why + ": nothing to continue from";
    }

    void ensureOpen() {
        if (closed) {
            throw Graph.closedException();
        }
    }

    /**
     * Ends every generation in progress ("the model is closed"), waits for the graph calls already running (one
     * step each), then frees every stream's buffers and the session. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (shared != null) {
            shared.close();
        }
        graph.drain();
        for (Row r : rows) {
            r.stepper.close();
        }
        rows.clear();
        if (shared != null) {
            shared.freeLanes();
        }
        graph.close();
    }
}
