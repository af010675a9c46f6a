package dev.charlstm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.internal.Sha256;
import dev.charlstm.runtime.pack.ModelPackage;
import dev.charlstm.runtime.pack.PackageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Prompts primed through the sequence graph (one call per chunk) leave a stream exactly where stepping them one
 * character at a time does, in every form of generation, and a long prefill stays cancellable.
 */
class PrefillTest {

    private static final ModelPackage WITH_SEQUENCE =
            ModelPackage.read(PrefillTest.class.getClassLoader(), "fixtures/tiny-v2");
    /** The same package without its sequence graph: prompts are stepped. */
    private static final ModelPackage STEP_ONLY = ModelPackage.of(WITH_SEQUENCE.manifest(), WITH_SEQUENCE.modelBytes());

    /** Text in the fixture's vocabulary, in the fixture corpus's style. */
    static String text(int length, long seed) {
        String[] sentences = {"the whale swam deep. ", "call me ishmael. ", "the sea was calm. ", "a ship sailed on. "};
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(sentences[r.nextInt(sentences.length)]);
        }
        return sb.substring(0, length);
    }

    @Test
    void aPromptPrimedInOneCallPerChunkEqualsTheSamePromptSteppedOneByOne() {
        primedEqualsStepped(WITH_SEQUENCE, 1e-5);
    }

    /** static-int8: the state primed through the sequence graph is the stepped state to the bit. */
    @Test
    void anInt8PromptPrimedIsExactlyTheSamePromptStepped() {
        primedEqualsStepped(ModelPackage.read(PrefillTest.class.getClassLoader(), "fixtures/tiny-int8"), 0);
    }

    private static void primedEqualsStepped(ModelPackage withSequence, double bound) {
        ModelPackage stepOnly = ModelPackage.of(withSequence.manifest(), withSequence.modelBytes());
        assertTrue(withSequence.manifest().hasSequenceGraph());
        assertTrue(!stepOnly.manifest().hasSequenceGraph());
        try (CharLstmModel seq = CharLstmModel.load(withSequence, RuntimeOptions.DEFAULT);
                CharLstmModel step = CharLstmModel.load(stepOnly, RuntimeOptions.DEFAULT)) {
            for (int length : new int[] {Decoder.PREFILL_MIN, 700}) { // 700: three chunks, the last one partial
                String prompt = text(length, length);
                try (GenerationStream a = seq.newStream();
                        GenerationStream b = step.newStream()) {
                    assertEquals(length, a.feed(prompt));
                    assertEquals(length, b.feed(prompt));
                    StreamState sa = a.snapshot();
                    StreamState sb = b.snapshot();
                    double d = Math.max(
                            Fixtures.maxAbsDiff(sa.h, sb.h),
                            Math.max(Fixtures.maxAbsDiff(sa.c, sb.c), Fixtures.maxAbsDiff(sa.logits, sb.logits)));
                    assertTrue(d <= bound, length + " characters: primed vs stepped max |diff| " + d);
                    assertArrayEquals(sa.recent.ids, sb.recent.ids);
                    assertEquals(sa.recent.count, sb.recent.count);
                    GenerationOptions greedy = GenerationOptions.builder()
                            .greedy(true)
                            .maxCharacters(150)
                            .build();
                    assertEquals(
                            b.generate(greedy, ch -> true).text(),
                            a.generate(greedy, ch -> true).text());
                }
            }
        }
    }

    @Test
    void batchesAndSampledGenerationPrimeLongPromptsTheSameWay() {
        try (CharLstmModel seq = CharLstmModel.load(WITH_SEQUENCE, RuntimeOptions.DEFAULT);
                CharLstmModel step = CharLstmModel.load(STEP_ONLY, RuntimeOptions.DEFAULT)) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                requests.add(GenerationRequest.of(
                        text(40 + 300 * i, i),
                        GenerationOptions.builder()
                                .greedy(true)
                                .maxCharacters(80)
                                .build()));
            }
            List<GenerationResult> primed = seq.generateBatch(requests);
            List<GenerationResult> stepped = step.generateBatch(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(stepped.get(i).text(), primed.get(i).text(), "request " + i);
                assertEquals(stepped.get(i).promptCharacters(), primed.get(i).promptCharacters());
            }
        }
    }

    @Test
    void cancellingALongPrefillStopsAtAChunkBoundary() throws Exception {
        try (CharLstmModel seq = CharLstmModel.load(WITH_SEQUENCE, RuntimeOptions.DEFAULT);
                GenerationStream s = seq.newStream()) {
            String prompt = text(2_000_000, 1);
            CompletableFuture<Integer> fed = CompletableFuture.supplyAsync(() -> s.feed(prompt));
            // long enough for encoding the 2,000,000 characters on a busy machine, far short of priming them all
            Thread.sleep(1000);
            s.cancel();
            int n = fed.get();
            assertTrue(n > 0 && n < prompt.length(), "fed " + n);
            assertEquals(0, n % Decoder.PREFILL_CHUNK, "a prefill stops between chunks: " + n);
        }
    }

    @Test
    void aBrokenSequenceGraphIsReportedByNameWhenFirstNeeded(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        WITH_SEQUENCE.write(dir.resolve("pkg"));
        Path pkg = dir.resolve("pkg");
        byte[] junk = "not an onnx graph".getBytes(StandardCharsets.UTF_8);
        Files.write(pkg.resolve("sequence.onnx"), junk);
        Files.writeString(
                pkg.resolve("vocab.json"),
                Files.readString(pkg.resolve("vocab.json"))
                        .replace(WITH_SEQUENCE.manifest().sequenceSha256(), Sha256.hex(junk)));
        try (CharLstmModel model = CharLstmModel.load(pkg)) {
            // short prompts never need it
            assertEquals(
                    20,
                    model.generate(
                                    "the whale ",
                                    GenerationOptions.builder()
                                            .maxCharacters(20)
                                            .build())
                            .generatedCharacters());
            var e = Assertions.assertThrows(PackageException.class, model::prepareSequenceGraph);
            assertTrue(e.getMessage().startsWith(pkg + "/sequence.onnx: ONNX Runtime cannot load it"), e.getMessage());
            var again = Assertions.assertThrows(
                    PackageException.class,
                    () -> model.generate(
                            text(100, 1),
                            GenerationOptions.builder().maxCharacters(5).build()));
            assertTrue(again.getMessage().contains("sequence.onnx"), again.getMessage());
        }
    }
}
