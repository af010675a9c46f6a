package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.ExecutionProvider;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares: which package, where, how many threads. */
final class ModelOptions {

    /**
     * The default model, packed into the CLI jar: the int8 export of the shipped Moby Dick model
     * (models/moby-dick-int8, static-int8), about 1.6-3 times as fast as its float32 source (by CPU) for the same
     * loss, and as exactly reproducible (README, "Speed").
     */
    static final String SHIPPED = "models/moby-dick-int8";

    @Option(names = "--model", paramLabel = "DIR",
            description = "A model package folder (vocab.json + model.onnx [+ sequence.onnx]). Default: the shipped"
                    + " Moby Dick model, int8 (models/moby-dick-int8; its float32 source is models/moby-dick).")
    Path model;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu, gpu (CUDA; needs the -Pgpu build) or auto (CUDA when it can be added, else CPU).")
    ExecutionProvider device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "ONNX Runtime intra-op threads (1 is fastest for one stream on small machines).")
    int threads;

    RuntimeOptions runtimeOptions() {
        return UsageError.check(() -> RuntimeOptions.builder().provider(device).intraOpThreads(threads).build());
    }

    ModelPackage readPackage() {
        return model != null ? ModelPackage.read(model)
                : ModelPackage.readResource(SHIPPED, ModelOptions.class.getClassLoader());
    }

    CharLstmModel load() {
        return CharLstmModel.load(readPackage(), runtimeOptions());
    }

    String describe() {
        return model != null ? model.toString() : "the shipped model (" + SHIPPED + ")";
    }
}
