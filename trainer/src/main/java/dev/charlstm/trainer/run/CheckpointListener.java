package dev.charlstm.trainer.run;

import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;

/**
 * Writes {@code last.ckpt} at every evaluation, and {@code best.ckpt} when the validation loss is the lowest so far,
 * each atomically. Comes after {@link MetricsListener} among a run's listeners: see {@link RunDirectory} for why that
 * order lets a resumed run repair whatever a kill interrupts. Not thread-safe.
 */
final class CheckpointListener implements TrainingListener {

    private final RunDirectory run;

    CheckpointListener(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onEvaluation(ValidationReport e, Trainer trainer) {
        Checkpoint ckpt = trainer.checkpoint(e);
        ckpt.write(run.last());
        if (e.best()) {
            ckpt.write(run.best());
        }
    }
}
