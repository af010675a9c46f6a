package dev.charlstm.trainer.training;

import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.export.PackageExporter;
import java.nio.file.Files;

/** When training ends, exports {@code best.ckpt} as the model package {@code model/}. Not thread-safe. */
final class PackageExport implements TrainingListener {

    private final RunDirectory run;

    PackageExport(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onEnd(TrainingResult result) {
        if (Files.exists(run.best())) {
            PackageExporter.export(Checkpoint.read(run.best()), run.modelPackage());
        }
    }
}
