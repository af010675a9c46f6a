package dev.charlstm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs the command line in-process, capturing its output. */
public final class Cli {
    private Cli() {}

    /** What a run printed and returned. */
    public record Result(int code, String out, String err) {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * The command line of a training the tests run on their own corpora: {@code train --preset tiny --data DATA
     * --out OUT --iterations N} and whatever else a test adds.
     */
    public static String[] tinyTraining(Object data, Object out, Object iterations, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--preset",
                "tiny",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--iterations",
                iterations.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }
}
