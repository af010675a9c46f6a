package dev.charlstm.spark;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One loaded model per source per executor JVM, shared by every task running there (a model is thread-safe, and
 * streams of concurrent tasks share batched graph calls). Loaded on first use, closed when the JVM exits.
 *
 * <p>float32 and static-int8 models batch across tasks (continuous batching): a row's text does not depend on its
 * neighbours. Packages of the earlier dynamic-int8 scheme quantize activations per graph call, so their rows are
 * generated one per call, with continuous batching off, to keep every row's text independent of how the rows were
 * partitioned.
 *
 * <p>Thread-safe.
 */
final class ExecutorModels {

    private static final ConcurrentMap<String, CharLstmModel> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> MODELS.values().forEach(CharLstmModel::close), "charlstm-spark-models"));
    }

    private ExecutorModels() {}

    /** @throws dev.charlstm.runtime.pack.PackageException if the package is invalid or cannot be loaded */
    static CharLstmModel get(ModelSource source) {
        return MODELS.computeIfAbsent(source.key(), k -> load(source.read()));
    }

    static CharLstmModel load(ModelPackage pkg) {
        boolean exactAcrossBatches = pkg.manifest().batchInvariant();
        CharLstmModel model = CharLstmModel.load(
                pkg,
                RuntimeOptions.builder()
                        .intraOpThreads(1)
                        .continuousBatching(exactAcrossBatches)
                        .build());
        model.prepareSequenceGraph();
        return model;
    }

    /** @return how many rows one graph call may take for this model: 1 for dynamic-int8 (see the class comment) */
    static int rowsPerCall(CharLstmModel model, int wanted) {
        return model.manifest().batchInvariant() ? wanted : 1;
    }
}
