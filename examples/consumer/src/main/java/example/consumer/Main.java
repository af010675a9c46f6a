package example.consumer;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationIterator;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.GenerationStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What an app that embeds charlstm does: load a model from a folder and from its own jar, stream characters to a
 * callback, pull them, generate on many threads at once, close. Exits 1 if any form writes another text than the
 * callback form for the same seed. Usage: {@code java ... example.consumer.Main [MODEL_FOLDER]}.
 */
public final class Main {

    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Path folder = Path.of(args.length > 0 ? args[0] : "../../models/moby-dick-int8");
        GenerationOptions options = GenerationOptions.builder().maxCharacters(200).temperature(0.8).seed(42).build();
        String streamed;
        try (CharLstmModel model = CharLstmModel.load(folder)) {
            StringBuilder text = new StringBuilder();
            long[] first = {0};
            model.generate("Call me Ishmael. ", options, ch -> {
                if (first[0] == 0) {
                    first[0] = System.currentTimeMillis();
                }
                text.append(ch);
                System.out.print(ch);
                return true;
            });
            System.out.println();
            streamed = text.toString();
            System.out.println("model " + model.manifest() + " from " + folder + "; JVM start to first character "
                    + (first[0] - jvmStart) + " ms; module path: " + (Main.class.getModule().isNamed() ? "yes" : "no"));
        }
        try (CharLstmModel model = CharLstmModel.loadResource("models/moby-dick-int8")) {
            check("from the app's jar", streamed, model.generate("Call me Ishmael. ", options).text());
            try (GenerationStream stream = model.newStream();
                    GenerationIterator it = stream.characters("Call me Ishmael. ", options)) {
                StringBuilder pulled = new StringBuilder();
                it.forEachRemaining(pulled::append);
                check("pulled", streamed, pulled.toString());
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<GenerationResult>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> model.generate("Call me Ishmael. ", options)));
                }
                for (Future<GenerationResult> r : results) {
                    check("8 threads at once", streamed, r.get().text());
                }
            } finally {
                pool.shutdown();
            }
        }
        System.out.println("ok: folder, jar resource, callback, iterator and 8 threads wrote the same text");
    }

    private static void check(String what, String expected, String got) {
        if (!expected.equals(got)) {
            System.err.println("FAILED " + what + ": expected\n" + expected + "\ngot\n" + got);
            System.exit(1);
        }
    }
}
