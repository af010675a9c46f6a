package dev.charlstm.cli;

import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.export.PackageExporter;
import dev.charlstm.trainer.training.RunDirectory;
import dev.charlstm.trainer.training.TorchEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code charlstm export}: turns a training checkpoint into a model package (model.onnx + vocab.json). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a training checkpoint as a model package: model.onnx (the single-step graph) and",
            "vocab.json (vocabulary, dimensions, SHA-256 of the graph, provenance, training configuration).",
            "Written atomically; an existing package at --out is replaced. Training already exports best.ckpt to",
            "RUN_DIR/model. With --package, writes an existing package again in the current format (version "
                    + ModelPackage.VERSION + "): the graph is copied unchanged, the manifest is upgraded."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the package comes from: one of the two. */
    static final class Source {
        @Option(names = "--checkpoint", required = true, paramLabel = "FILE|RUN_DIR",
                description = "A .ckpt file, or a run folder (its best.ckpt).")
        Path checkpoint;

        @Option(names = "--package", required = true, paramLabel = "DIR",
                description = "A model package folder (any version this charlstm reads).")
        Path pkg;
    }

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The package folder to write.")
    Path out;

    @Override
    public Integer call() {
        if (source.pkg != null) {
            ModelPackage pkg = ModelPackage.read(source.pkg);
            pkg.write(out);
            spec.commandLine().getOut().printf("wrote %s as format version %d to %s (model.onnx unchanged, sha256 %s)%n",
                    source.pkg, ModelPackage.VERSION, out, pkg.manifest().modelSha256());
            return 0;
        }
        Path checkpoint = source.checkpoint;
        Path file = Files.isDirectory(checkpoint) ? RunDirectory.of(checkpoint).best() : checkpoint;
        Checkpoint ckpt = Checkpoint.read(file);
        TorchEngine.start(0);
        long t0 = System.nanoTime();
        ModelPackage pkg = PackageExporter.export(ckpt, out);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ModelManifest info = pkg.manifest();
        spec.commandLine().getOut().printf("exported %s (iteration %d, validation loss %s) to %s: %s, model.onnx %d"
                + " bytes, sha256 %s, in %.2f s%n", file, info.provenance().iterations(),
                info.provenance().valLoss() == null ? "n/a" : String.format("%.4f", info.provenance().valLoss()),
                out, info, pkg.modelSize(), info.modelSha256(), seconds);
        return 0;
    }
}
