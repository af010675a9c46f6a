package dev.charlstm.trainer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.trainer.TestCorpora;
import dev.charlstm.trainer.checkpoint.Checkpoint;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.config.Preset;
import dev.charlstm.trainer.config.TrainingConfig;
import dev.charlstm.trainer.corpus.Corpus;
import dev.charlstm.trainer.corpus.CorpusException;
import dev.charlstm.trainer.model.CharLstm;
import dev.charlstm.trainer.training.TorchEngine;
import dev.charlstm.trainer.training.Trainer;
import dev.charlstm.trainer.training.TrainingDivergedException;
import dev.charlstm.trainer.training.TrainingListener;
import dev.charlstm.trainer.training.ValidationReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {

    /** The engine, started once for every run of this class. */
    private static final Engine ENGINE = TorchEngine.start(0);

    @TempDir
    Path dir;

    private static TrainingConfig.Builder tiny() {
        return Preset.TINY.builder().set(TrainingConfig.SAMPLE_LENGTH, 0);
    }

    /** Records every iteration's loss, every evaluation and every evaluation sample. */
    private static final class Recorder implements TrainingListener {
        final List<Float> losses = new ArrayList<>();
        final List<ValidationReport> evaluations = new ArrayList<>();
        final List<String> samples = new ArrayList<>();
        int firstIteration = -1;

        @Override
        public void onStart(Trainer trainer) {
            firstIteration = trainer.iteration();
        }

        @Override
        public void onIteration(int iteration, float loss, double charsPerSecond) {
            losses.add(loss);
        }

        @Override
        public void onEvaluation(ValidationReport evaluation, Trainer trainer) {
            evaluations.add(evaluation);
        }
    }

    private static Recorder train(Corpus corpus, TrainingConfig config, Path runDir) {
        return drive(TrainingRun.start(ENGINE, corpus, config, runDir, Device.cpu()));
    }

    private static Recorder drive(TrainingRun run) {
        Recorder r = new Recorder();
        try (run) {
            run.train(r, new SampleListener((e, sample) -> r.samples.add(sample)));
        }
        return r;
    }

    @Test
    void tinyPresetLearnsARepetitiveCorpusWellBelowTheUniformBaseline() throws IOException {
        Corpus corpus = TestCorpora.repetitive(dir);
        TrainingConfig config = Preset.TINY
                .builder()
                .set(TrainingConfig.SAMPLE_PROMPT, "the ")
                .set(TrainingConfig.SAMPLE_LENGTH, 40)
                .build();
        Recorder r = train(corpus, config, dir.resolve("run"));
        double uniform = Math.log(corpus.vocabulary().size());
        ValidationReport last = r.evaluations.get(r.evaluations.size() - 1);
        assertEquals(config.schedule().iterations(), last.iteration());
        assertTrue(last.valLoss() < 0.5 * uniform, "val loss " + last.valLoss() + " vs ln(V) " + uniform);
        String sample = r.samples.get(r.samples.size() - 1);
        assertTrue(sample.startsWith("the "), sample);
        assertEquals("the ".length() + 40, sample.codePointCount(0, sample.length()));

        List<String> metrics = Files.readAllLines(dir.resolve("run").resolve(RunDirectory.METRICS));
        assertEquals(config.schedule().iterations() / config.evaluation().interval(), metrics.size());
        assertTrue(
                metrics.get(0).contains("\"iteration\":100") && metrics.get(0).contains("\"val_loss\""),
                metrics.get(0));
        assertTrue(Files.isRegularFile(dir.resolve("run/last.ckpt")));
        assertTrue(Files.isRegularFile(dir.resolve("run/best.ckpt")));
        BufferedImage curve = ImageIO.read(dir.resolve("run/loss.png").toFile());
        assertEquals(900, curve.getWidth(), "loss.png is a real picture");
        ModelPackage pkg = ModelPackage.read(dir.resolve("run").resolve(RunDirectory.PACKAGE));
        assertEquals(corpus.vocabulary(), pkg.manifest().vocabulary());
        ValidationReport best = r.evaluations.stream()
                .filter(ValidationReport::best)
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(best.iteration(), pkg.manifest().provenance().iterations(), "the package is the best checkpoint");
        assertEquals(best.valLoss(), pkg.manifest().provenance().valLoss(), 1e-12);
    }

    @Test
    void evaluationsCountTheStepsThatClippingScaledDown() throws IOException {
        Corpus corpus = TestCorpora.repetitive(dir);
        // A clip norm no gradient stays under: every step is clipped. Off: none is.
        Recorder always = train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 8)
                        .set(TrainingConfig.EVAL_INTERVAL, 4)
                        .set(TrainingConfig.GRAD_CLIP, 1e-6f)
                        .build(),
                dir.resolve("a"));
        Recorder off = train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 8)
                        .set(TrainingConfig.EVAL_INTERVAL, 4)
                        .set(TrainingConfig.GRAD_CLIP, 0f)
                        .build(),
                dir.resolve("b"));
        Recorder never = train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 8)
                        .set(TrainingConfig.EVAL_INTERVAL, 4)
                        .set(TrainingConfig.GRAD_CLIP, 1e6f)
                        .build(),
                dir.resolve("c"));
        for (ValidationReport e : always.evaluations) {
            assertEquals(4, e.clippedSteps());
            assertEquals(4, e.steps());
        }
        assertEquals(0, off.evaluations.get(1).clippedSteps());
        assertEquals(0, never.evaluations.get(1).clippedSteps());
        assertEquals(off.losses, never.losses, "a clip norm never reached changes nothing");
        assertTrue(
                Files.readString(dir.resolve("a").resolve(RunDirectory.METRICS)).contains("\"clipped_steps\":4"));
    }

    @Test
    void sameSeedSameLossesDifferentSeedDifferentLosses() {
        Corpus corpus = TestCorpora.repetitive(dir);
        TrainingConfig config = tiny().set(TrainingConfig.ITERATIONS, 12)
                .set(TrainingConfig.EVAL_INTERVAL, 6)
                .set(TrainingConfig.SEED, 7L)
                .build();
        Recorder a = train(corpus, config, dir.resolve("a"));
        Recorder b = train(corpus, config, dir.resolve("b"));
        Recorder c =
                train(corpus, config.toBuilder().set(TrainingConfig.SEED, 8L).build(), dir.resolve("c"));
        assertEquals(12, a.losses.size());
        assertEquals(a.losses, b.losses);
        assertEquals(a.evaluations.get(1).valLoss(), b.evaluations.get(1).valLoss());
        assertFalse(a.losses.equals(c.losses));
    }

    @Test
    void resumeContinuesAtTheSavedIterationExactlyAsAnUninterruptedRun() {
        Corpus corpus = TestCorpora.repetitive(dir);
        TrainingConfig full = tiny().set(TrainingConfig.ITERATIONS, 20)
                .set(TrainingConfig.EVAL_INTERVAL, 10)
                .build();
        Recorder straight = train(corpus, full, dir.resolve("straight"));

        Path runDir = dir.resolve("interrupted");
        Recorder first = train(
                corpus, full.toBuilder().set(TrainingConfig.ITERATIONS, 10).build(), runDir);
        assertEquals(
                10,
                Checkpoint.read(runDir.resolve(RunDirectory.LAST)).metadata().iteration());
        Recorder second = new Recorder();
        try (TrainingRun run = TrainingRun.resume(ENGINE, runDir, corpus, 20, Device.cpu())) {
            assertEquals(10, run.trainer().iteration());
            run.train(second);
        }
        assertEquals(10, second.firstIteration);
        List<Float> joined = new ArrayList<>(first.losses);
        joined.addAll(second.losses);
        assertEquals(straight.losses.size(), joined.size());
        for (int i = 0; i < joined.size(); i++) {
            assertEquals(straight.losses.get(i), joined.get(i), 1e-5, "loss at iteration " + (i + 1));
        }
        assertEquals(
                straight.evaluations.get(1).valLoss(), second.evaluations.get(0).valLoss(), 1e-5);
        assertEquals(
                20,
                Checkpoint.read(runDir.resolve(RunDirectory.LAST)).metadata().iteration());
    }

    @Test
    void checkpointRoundTripRestoresTheModelExactly() {
        Corpus corpus = TestCorpora.repetitive(dir);
        TrainingConfig config = tiny().set(TrainingConfig.ITERATIONS, 10)
                .set(TrainingConfig.EVAL_INTERVAL, 10)
                .build();
        Path runDir = dir.resolve("run");
        int[] tokens = corpus.vocabulary().encode("the whale".codePoints().toArray());
        float[] trained;
        try (TrainingRun run = TrainingRun.start(ENGINE, corpus, config, runDir, Device.cpu())) {
            run.train(TrainingListener.NONE);
            trained = logits(run.trainer().model(), tokens);
        }
        Checkpoint ckpt = Checkpoint.read(runDir.resolve(RunDirectory.LAST));
        assertEquals(10, ckpt.metadata().iteration());
        assertEquals(config, ckpt.metadata().config());
        assertEquals(corpus.vocabulary(), ckpt.vocabulary());
        assertEquals(corpus.sha256(), ckpt.metadata().corpus().sha256());
        assertEquals(corpus.cleaning(), ckpt.metadata().cleaning());
        assertEquals(10, ckpt.metadata().rng().nextBatch());
        try (NDManager m = NDManager.newBaseManager()) {
            CharLstm model = new CharLstm(config.shape(corpus.vocabulary().size()));
            model.initialize(m);
            ckpt.loadParameters(model, m);
            assertArrayEquals(trained, logits(model, tokens));
        }
    }

    private static float[] logits(CharLstm model, int[] tokens) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(tokens, new Shape(1, tokens.length));
            NDList out = model.forward(new ParameterStore(m, false), new NDList(x), false);
            return out.head().toFloatArray();
        }
    }

    @Test
    void corruptOrTruncatedCheckpointsAreRejectedClearly() throws IOException {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 5)
                        .set(TrainingConfig.EVAL_INTERVAL, 5)
                        .build(),
                runDir);
        Path last = runDir.resolve(RunDirectory.LAST);
        byte[] good = Files.readAllBytes(last);

        Path truncated = dir.resolve("truncated.ckpt");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        CheckpointException t = assertThrows(CheckpointException.class, () -> Checkpoint.read(truncated));
        assertTrue(
                t.getMessage().contains(truncated.toString()) && t.getMessage().contains("corrupt or truncated"),
                t.getMessage());

        byte[] flipped = good.clone();
        flipped[good.length / 3] ^= 0x5A;
        Path corrupt = dir.resolve("corrupt.ckpt");
        Files.write(corrupt, flipped);
        CheckpointException c = assertThrows(CheckpointException.class, () -> Checkpoint.read(corrupt));
        assertTrue(c.getMessage().contains(corrupt.toString()) && c.getMessage().contains("corrupt"), c.getMessage());

        Path notZip = dir.resolve("text.ckpt");
        Files.writeString(notZip, "hello");
        assertThrows(CheckpointException.class, () -> Checkpoint.read(notZip));

        Files.write(last, flipped);
        CheckpointException r = assertThrows(
                CheckpointException.class, () -> TrainingRun.resume(ENGINE, runDir, corpus, null, Device.cpu()));
        assertTrue(r.getMessage().contains(last.toString()), r.getMessage());
    }

    @Test
    void resumeRejectsACorpusWithAnotherVocabulary() {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 5)
                        .set(TrainingConfig.EVAL_INTERVAL, 5)
                        .build(),
                runDir);
        Corpus other = TestCorpora.write(dir, "other", corpus.text() + " Z");
        CorpusException e = assertThrows(
                CorpusException.class, () -> TrainingRun.resume(ENGINE, runDir, other, null, Device.cpu()));
        assertTrue(
                e.getMessage().contains("does not match the checkpoint")
                        && e.getMessage().contains("U+005A 'Z'"),
                e.getMessage());
    }

    @Test
    void aNewRunRefusesAFolderThatHoldsOne() {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        TrainingConfig config = tiny().set(TrainingConfig.ITERATIONS, 5)
                .set(TrainingConfig.EVAL_INTERVAL, 5)
                .build();
        train(corpus, config, runDir);
        CheckpointException e = assertThrows(
                CheckpointException.class, () -> TrainingRun.start(ENGINE, corpus, config, runDir, Device.cpu()));
        assertTrue(e.getMessage().contains("already holds a training run"), e.getMessage());
    }

    @Test
    void aCorpusTooShortForTheWindowFailsBeforeTraining() {
        Corpus corpus = TestCorpora.write(dir, "short", "just a few words here, not enough");
        CorpusException e = assertThrows(
                CorpusException.class,
                () -> TrainingRun.start(ENGINE, corpus, tiny().build(), dir.resolve("run"), Device.cpu()));
        assertTrue(e.getMessage().contains("shorter than one window of 33"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("run/last.ckpt")));
    }

    private static Recorder resume(Path runDir, Corpus corpus, int iterations) {
        return drive(TrainingRun.resume(ENGINE, runDir, corpus, iterations, Device.cpu()));
    }

    @Test
    void afterAKillAnywhereAResumedRunLeavesItsFilesInAgreement() throws IOException {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        train(
                corpus,
                tiny().set(TrainingConfig.ITERATIONS, 15)
                        .set(TrainingConfig.EVAL_INTERVAL, 5)
                        .build(),
                runDir);
        byte[] bestAt15 = Files.readAllBytes(runDir.resolve(RunDirectory.BEST));
        resume(runDir, corpus, 20);
        assertEquals(
                20,
                Checkpoint.read(runDir.resolve(RunDirectory.LAST))
                        .metadata()
                        .metrics()
                        .bestIteration(),
                "precondition: iteration 20 is the best so far");
        // The state a kill leaves right after last.ckpt was replaced, before best.ckpt was, and before the next
        // checkpoint: a stale best.ckpt, a metrics line past last.ckpt and a torn one, temporaries of killed writes.
        Files.write(runDir.resolve(RunDirectory.BEST), bestAt15);
        Files.writeString(
                runDir.resolve(RunDirectory.METRICS),
                "{\"iteration\":25,\"train_loss\":1.0}\n{\"itera",
                StandardOpenOption.APPEND);
        Files.writeString(runDir.resolve("last.ckpt.123.tmp"), "partial");
        Files.writeString(runDir.resolve("loss.png.456.tmp"), "partial");
        Files.createDirectories(runDir.resolve(".model.tmp-789"));

        resume(runDir, corpus, 25);

        Checkpoint last = Checkpoint.read(runDir.resolve(RunDirectory.LAST));
        int bestIteration = last.metadata().metrics().bestIteration();
        assertEquals(
                bestIteration,
                Checkpoint.read(runDir.resolve(RunDirectory.BEST)).metadata().iteration(),
                "best.ckpt is the best last.ckpt names");
        assertEquals(
                bestIteration,
                ModelPackage.read(runDir.resolve(RunDirectory.PACKAGE))
                        .manifest()
                        .provenance()
                        .iterations(),
                "model/ is exported from that best");
        List<Integer> lines = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve(RunDirectory.METRICS))) {
            lines.add(JsonParser.parseString(line)
                    .getAsJsonObject()
                    .get("iteration")
                    .getAsInt());
        }
        assertEquals(List.of(5, 10, 15, 20, 25), lines, "one line per evaluation, none lost, none twice");
        try (var files = Files.list(runDir)) {
            assertEquals(
                    List.of(),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".tmp") || n.startsWith(".") && !n.equals(RunDirectory.LOCK))
                            .toList(),
                    "temporaries cleaned");
        }
    }

    @Test
    void aNewRunRefusesTheLeftoversOfAnotherAndAFolderItCannotWrite() throws IOException {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path old = Files.createDirectories(dir.resolve("old"));
        Files.writeString(old.resolve(RunDirectory.METRICS), "{\"iteration\":5}\n");
        Files.writeString(old.resolve(RunDirectory.BEST), "an old best");
        CheckpointException e = assertThrows(
                CheckpointException.class, () -> TrainingRun.start(ENGINE, corpus, tiny().build(), old, Device.cpu()));
        assertTrue(
                e.getMessage().contains("holds files of an earlier run (best.ckpt, metrics.jsonl)")
                        && e.getMessage().contains("choose another --out"),
                e.getMessage());
        assertEquals("an old best", Files.readString(old.resolve(RunDirectory.BEST)), "nothing replaced");

        Path underAFile = Files.writeString(dir.resolve("a-file"), "x").resolve("run");
        CheckpointException f = assertThrows(
                CheckpointException.class,
                () -> TrainingRun.start(ENGINE, corpus, tiny().build(), underAFile, Device.cpu()));
        assertTrue(f.getMessage().contains("cannot create the run folder"), f.getMessage());
        Path readOnly = emptyFolderNobodyCanWrite();
        if (readOnly != null) {
            CheckpointException g = assertThrows(
                    CheckpointException.class,
                    () -> TrainingRun.start(ENGINE, corpus, tiny().build(), readOnly, Device.cpu()));
            assertTrue(g.getMessage().contains("cannot write into the run folder"), g.getMessage());
        }
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("chapter-1.txt"), "a corpus, say");
        CheckpointException h = assertThrows(
                CheckpointException.class, () -> TrainingRun.start(ENGINE, corpus, tiny().build(), busy, Device.cpu()));
        assertTrue(h.getMessage().contains("is not empty (chapter-1.txt)"), h.getMessage());
    }

    /** An empty sysfs folder: not even root may create files there (tests run as root in CI); null if none. */
    private static Path emptyFolderNobodyCanWrite() throws IOException {
        Path sys = Path.of("/sys/kernel");
        if (!Files.isDirectory(sys)) {
            return null;
        }
        try (var dirs = Files.list(sys)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                try (var inside = Files.list(d)) {
                    if (Files.isDirectory(d) && inside.findAny().isEmpty()) {
                        try {
                            Files.delete(Files.createTempFile(d, "probe", ".tmp")); // writable after all: not this one
                        } catch (IOException denied) {
                            return d;
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // unreadable: try the next
                }
            }
        }
        return null;
    }

    @Test
    void divergenceSaysWhatTheFolderHoldsAndWhatToDo() {
        Corpus corpus = TestCorpora.repetitive(dir);
        Path runDir = dir.resolve("run");
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class,
                () -> train(
                        corpus,
                        tiny().set(TrainingConfig.LEARNING_RATE, 1e6f)
                                .set(TrainingConfig.GRAD_CLIP, 0f)
                                .set(TrainingConfig.ITERATIONS, 50)
                                .set(TrainingConfig.EVAL_INTERVAL, 40)
                                .build(),
                        runDir));
        assertTrue(e.getMessage().contains("no checkpoint was written"), e.getMessage());
        assertTrue(
                e.getMessage().contains("start a new run with a lower --lr (e.g. 100000.0) and --grad-clip 1"),
                e.getMessage());
        assertFalse(e.getMessage().contains("good"), e.getMessage());
        assertFalse(Files.exists(runDir.resolve(RunDirectory.LAST)));
    }
}
