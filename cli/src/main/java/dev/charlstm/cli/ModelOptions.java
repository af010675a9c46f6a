package dev.charlstm.cli;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.DeviceChoice;
import dev.charlstm.runtime.RuntimeOptions;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import dev.charlstm.trainer.run.RunDirectory;
import java.nio.file.Files;
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

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "A model package folder (vocab.json + model.onnx [+ sequence.onnx]). Default: the shipped"
                    + " Moby Dick model, int8 (models/moby-dick-int8; its float32 source is models/moby-dick).")
    Path model;

    @Option(
            names = "--device",
            paramLabel = "DEV",
            defaultValue = "cpu",
            description =
                    "cpu (the default: a seed then gives the same text on every machine), gpu (CUDA; needs the -Pgpu"
                            + " build) or auto (CUDA when it can be added, else CPU).")
    DeviceChoice device;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "ONNX Runtime intra-op threads (1 is fastest for one stream on small machines).")
    int threads;

    RuntimeOptions runtimeOptions() {
        return UsageError.check(() ->
                RuntimeOptions.builder().device(device).intraOpThreads(threads).build());
    }

    ModelPackage readPackage() {
        return model != null ? readPackage(model) : ModelPackage.read(ModelOptions.class.getClassLoader(), SHIPPED);
    }

    /**
     * Reads a package folder; a training run's folder given instead gets a message pointing at its package (or at
     * {@code charlstm export}): the run's layout and the commands are the CLI's business, not the SDK's.
     */
    static ModelPackage readPackage(Path dir) {
        boolean noManifest = !Files.exists(dir.resolve(ModelPackage.MANIFEST_FILE));
        Path runPackage = dir.resolve(RunDirectory.PACKAGE);
        if (noManifest && Files.isRegularFile(runPackage.resolve(ModelPackage.MANIFEST_FILE))) {
            throw new PackageException(
                    dir + ": a training run folder, not a model package; its package is " + runPackage);
        }
        if (noManifest
                && (Files.isRegularFile(dir.resolve(RunDirectory.BEST))
                        || Files.isRegularFile(dir.resolve(RunDirectory.LAST)))) {
            throw new PackageException(dir + ": a training run folder without a model package; export one with"
                    + " charlstm export --checkpoint " + dir + " --out PACKAGE_DIR");
        }
        return ModelPackage.read(dir);
    }

    CharLstmModel load() {
        return CharLstmModel.load(readPackage(), runtimeOptions());
    }

    String describe() {
        return model != null ? model.toString() : "the shipped model (" + SHIPPED + ")";
    }
}
