package dev.charlstm.trainer.run;

import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.export.PackageExporter;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.TrainingResult;
import java.nio.file.Files;

/** When training ends, exports {@code best.ckpt} as the model package {@code model/}. Not thread-safe. */
final class ExportOnEndListener implements TrainingListener {

    private final RunDirectory run;

    ExportOnEndListener(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onEnd(TrainingResult result) {
        if (Files.exists(run.best())) {
            PackageExporter.export(Checkpoint.read(run.best()), run.modelPackage());
        }
    }
}
