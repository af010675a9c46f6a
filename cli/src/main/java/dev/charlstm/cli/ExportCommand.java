package dev.charlstm.cli;

import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.Quantization;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.export.PackageExporter;
import dev.charlstm.trainer.export.Precision;
import dev.charlstm.trainer.run.RunDirectory;
import dev.charlstm.trainer.training.TorchEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code charlstm export}: turns a training checkpoint, or an existing float32 package, into a model package
 * (model.onnx + sequence.onnx + vocab.json), float32 or int8.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Export a checkpoint (or a float32 package) as a model package, float32 or int8.",
            "%nThe package: model.onnx (the single-step graph), sequence.onnx (the same model over a whole prompt,"
                    + " for priming and eval) and vocab.json (vocabulary, dimensions, SHA-256 of the graphs,"
                    + " quantization, provenance, training configuration). Written atomically; an existing package"
                    + " at --out is replaced. Training already exports best.ckpt to RUN_DIR/model.",
            "%nWith --package, a float32 package (any format version) is written again in the current format"
                    + " (version 2, or 3 for a model trained on a list) from its weights, with both graphs."
                    + " --quantize int8 writes int8"
                    + " weights (per channel, symmetric) run by ONNX Runtime's int8 kernels; check the result with"
                    + " charlstm eval."
        })
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the package comes from: one of the two. */
    static final class Source {
        @Option(
                names = "--checkpoint",
                required = true,
                paramLabel = "FILE|RUN_DIR",
                description = "A .ckpt file, or a run folder (its best.ckpt).")
        Path checkpoint;

        @Option(
                names = "--package",
                required = true,
                paramLabel = "DIR",
                description = "A model package folder (any version this charlstm reads).")
        Path pkg;
    }

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The package folder to write.")
    Path out;

    /** The values of --quantize. */
    enum Quantize {
        none(Precision.FLOAT32),
        int8(Precision.INT8);

        final Precision precision;

        Quantize(Precision precision) {
            this.precision = precision;
        }
    }

    @Option(
            names = "--quantize",
            paramLabel = "none|int8",
            defaultValue = "none",
            description = "none: float32 weights (default); int8: int8 weights, activations at constant scales,"
                    + " integer sums (static-int8: a quarter of the size, faster, and each stream's result exact"
                    + " whatever else runs). With --package, a dynamic-int8 package (the earlier scheme) is"
                    + " rewritten as static-int8 from its int8 weights.")
    Quantize quantize;

    /** Whether the package written was rewritten from a dynamic-int8 package's int8 weights (for the report). */
    private boolean rewritten;

    @Override
    public Integer call() {
        ModelPackage.checkTarget(out); // before minutes of work (or the engine's start), not after
        if (source.pkg != null) {
            ModelPackage from = ModelOptions.readPackage(source.pkg);
            Quantization q = from.manifest().quantization();
            if (q != null && (q.rowExact() || quantize.precision != Precision.INT8)) {
                throw new UsageError(source.pkg + ": already quantized (" + q.method() + "); give --package its"
                        + " float32 source package, or --checkpoint"
                        + (q.rowExact()
                                ? ""
                                : " (a " + q.method() + " package can be rewritten with --quantize int8)"));
            }
            if (q == null && quantize.precision != Precision.FLOAT32 && sameFolder(source.pkg, out)) {
                throw new UsageError("--out " + out + " is the --package folder: the int8 package would replace the"
                        + " float32 source its manifest names; write it to another folder");
            }
            long t0 = System.nanoTime();
            ModelPackage pkg = PackageExporter.convert(from, quantize.precision);
            pkg.write(out);
            rewritten = q != null;
            report(source.pkg.toString(), pkg, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
        Path checkpoint = source.checkpoint;
        if (Files.isRegularFile(checkpoint.resolve(ModelPackage.MANIFEST_FILE))) {
            throw new UsageError(checkpoint + ": a model package, not a checkpoint or run folder; give it with"
                    + " --package " + checkpoint);
        }
        Path file = Files.isDirectory(checkpoint) ? RunDirectory.of(checkpoint).best() : checkpoint;
        Checkpoint ckpt = Checkpoint.read(file);
        TorchEngine.start(0);
        long t0 = System.nanoTime();
        ModelPackage pkg = PackageExporter.export(ckpt, out, quantize.precision);
        report(file.toString(), pkg, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private void report(String from, ModelPackage pkg, double seconds) {
        ModelManifest info = pkg.manifest();
        spec.commandLine()
                .getOut()
                .printf(
                        "exported %s (iteration %s, validation loss %s) to %s: %s, %s, model.onnx %d"
                                + " bytes, sha256 %s, in %.2f s%n",
                        from,
                        info.provenance().iterations() == null
                                ? "n/a"
                                : info.provenance().iterations().toString(),
                        info.provenance().valLoss() == null
                                ? "n/a"
                                : String.format("%.4f", info.provenance().valLoss()),
                        out,
                        info.shape(),
                        info.precision(),
                        pkg.modelSize(),
                        info.modelSha256(),
                        seconds);
        if (info.quantization() != null) {
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s the float32 model.onnx with sha256 %s; compare them with" + " charlstm eval%n",
                            rewritten
                                    ? "rewritten from the int8 weights of a dynamic-int8 package, whose" + " source is"
                                    : "quantized from",
                            info.quantization().sourceSha256());
        }
    }
}
