package dev.charlstm.trainer.run;

import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At every evaluation, samples a continuation of the configuration's prompt ({@code evaluation.sample_prompt},
 * {@code evaluation.sample_length} characters, seed = the run's seed + the iteration) and hands it on. Warns once
 * when no character of the prompt is in the corpus's vocabulary. Not thread-safe.
 */
public final class SampleListener implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(SampleListener.class);

    private final BiConsumer<ValidationReport, String> sink;

    /** @param sink receives each evaluation and its sample (prompt included) */
    public SampleListener(BiConsumer<ValidationReport, String> sink) {
        this.sink = sink;
    }

    @Override
    public void onStart(Trainer trainer) {
        var e = trainer.config().evaluation();
        if (e.sampleLength() > 0
                && !trainer.lines()
                && e.samplePrompt().codePoints().noneMatch(trainer.vocabulary()::contains)) {
            LOG.warn(
                    "no character of --prompt \"{}\" is in the corpus's vocabulary: the samples start from {} instead;"
                            + " give a --prompt in the corpus's characters",
                    e.samplePrompt(),
                    Vocabulary.describe(trainer.vocabulary().codePoint(0)));
        }
    }

    /**
     * A list's samples are items: from an item's start ({@code '\n'}), primed with the prompt only when the list has
     * all of its characters (the default "The " is rarely a name's start).
     */
    private static String prompt(String prompt, Trainer trainer) {
        if (!trainer.lines()) {
            return prompt;
        }
        return prompt.codePoints().allMatch(trainer.vocabulary()::contains) ? "\n" + prompt : "\n";
    }

    @Override
    public void onEvaluation(ValidationReport evaluation, Trainer trainer) {
        var e = trainer.config().evaluation();
        if (e.sampleLength() > 0) {
            sink.accept(
                    evaluation,
                    trainer.sample(
                            prompt(e.samplePrompt(), trainer),
                            e.sampleLength(),
                            trainer.config().data().seed() + evaluation.iteration()));
        }
    }
}
