package dev.charlstm.cli;

import dev.charlstm.runtime.GpuUnavailableException;
import dev.charlstm.runtime.Version;
import dev.charlstm.runtime.pack.PackageException;
import dev.charlstm.trainer.checkpoint.CheckpointException;
import dev.charlstm.trainer.corpus.CorpusException;
import dev.charlstm.trainer.training.TrainingDivergedException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code charlstm} command line. */
@Command(
        name = "charlstm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Train character-level LSTM text generators and generate text with them.",
        subcommands = {
            GenerateCommand.class,
            TrainCommand.class,
            ExportCommand.class,
            EvalCommand.class,
            InfoCommand.class,
            ServeCommand.class,
            BenchCommand.class,
            LoadTestCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    /** {@code --version}: the build's one version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"charlstm " + Version.CURRENT};
        }
    }

    @picocli.CommandLine.Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "On failure, print the stack trace too.")
    boolean verbose;

    /** Exit code for a failure at run time (bad corpus, unreadable checkpoint, ...): a one-line message. */
    static final int EXIT_FAILURE = 1;
    /** Exit code for usage errors (unknown option, unparsable value), as picocli reports them. */
    static final int EXIT_USAGE = 2;

    /**
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        // Text is UTF-8 on every stream, whatever the locale says: a model's characters must never turn into '?'.
        PrintWriter out = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        String undecodable = undecodableArguments(args, System.getProperty("sun.jnu.encoding", "UTF-8"));
        if (undecodable != null) {
            err.println("charlstm: error: " + undecodable);
            System.exit(EXIT_USAGE);
        }
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * The JVM decodes the command line (prompts, paths) with the locale's encoding; outside a UTF-8 locale every
     * non-ASCII character arrives as U+FFFD and the original is lost, so say so rather than run on the wrong text.
     *
     * @return the message, or null when the arguments are fine
     */
    static String undecodableArguments(String[] args, String localeEncoding) {
        if (localeEncoding.replace("-", "").equalsIgnoreCase("UTF8")) {
            return null;
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].indexOf('\uFFFD') >= 0) {
                return "argument " + (i + 1) + " (\"" + args[i] + "\") holds characters the locale's encoding ("
                        + localeEncoding + ") cannot represent; run charlstm in a UTF-8 locale, e.g. LC_ALL=C.UTF-8"
                        + " (the ./charlstm launcher does this by itself)";
            }
        }
        return null;
    }

    /**
     * Runs the command line without exiting the JVM.
     *
     * @param args arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        Main root = cli.getCommand();
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UsageError) {
                commandLine
                        .getErr()
                        .println("charlstm: error: " + e.getMessage() + " (see charlstm " + commandLine.getCommandName()
                                + " --help)");
                return EXIT_USAGE;
            }
            if (e instanceof GpuUnavailableException g) {
                // the SDK's message speaks to an application's build; here the choice is an option
                commandLine
                        .getErr()
                        .println("charlstm: error: --device gpu: ONNX Runtime cannot add its CUDA provider ("
                                + g.reason() + "); this charlstm needs the -Pgpu build (onnxruntime_gpu) and a"
                                + " machine with CUDA 12 and cuDNN 9, or use --device auto (falls back to the CPU)"
                                + " or --device cpu");
                return EXIT_FAILURE;
            }
            // Our own exceptions carry a message written for the user; anything else gets its type named too.
            boolean ours = e instanceof CorpusException
                    || e instanceof CheckpointException
                    || e instanceof TrainingDivergedException
                    || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException
                    || e instanceof PackageException;
            commandLine.getErr().println("charlstm: error: " + (ours ? e.getMessage() : e.toString()));
            // --verbose may come before the command (the root's) or after it (the command's own copy)
            if (root.verbose
                    || commandLine.getParseResult() != null
                            && commandLine.getParseResult().hasMatchedOption("--verbose")) {
                e.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILURE;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // Not a stack trace from deep inside: what ran out, and how to give the JVM more
            err.println("charlstm: error: out of memory (the JVM may use at most "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB): give it more, e.g."
                    + " CHARLSTM_JAVA_OPTS=-Xmx8g ./charlstm ..., or ask for less (a smaller text, window or size)");
            err.flush();
            return EXIT_FAILURE;
        }
    }

    /**
     * @return the command line, configured: enum values (presets, devices, schedules, policies) in any case, and a
     *     wrong one named with the valid ones, e.g. {@code unknown preset 'huge'; valid: seed, cpu, tiny}
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // One line, like every other error: the message, then where the help is (not the whole usage screen).
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine.ParameterException x = explainEnum(e);
            CommandLine c = x.getCommandLine();
            c.getErr()
                    .println("charlstm: error: " + x.getMessage() + " (see "
                            + c.getCommandSpec().qualifiedName() + " --help)");
            CommandLine.UnmatchedArgumentException.printSuggestions(x, c.getErr());
            return EXIT_USAGE;
        });
        return cli;
    }

    /** Rewords picocli's "expected one of [SEED, CPU, TINY] (case-insensitive)" in the words of the option. */
    private static CommandLine.ParameterException explainEnum(CommandLine.ParameterException e) {
        CommandLine.Model.ArgSpec arg = e.getArgSpec();
        if (!(arg instanceof CommandLine.Model.OptionSpec option)
                || !arg.type().isEnum()
                || e.getValue() == null
                || !String.valueOf(e.getMessage()).contains("expected one of")) {
            return e;
        }
        String what = option.longestName().substring(2);
        String valid = Arrays.stream(arg.type().getEnumConstants())
                .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return new CommandLine.ParameterException(
                e.getCommandLine(),
                "Invalid value for option '"
                        + option.longestName() + "': unknown " + (what.equals("unknown") ? "policy" : what) + " '"
                        + e.getValue() + "'; valid: " + valid,
                e,
                arg,
                e.getValue());
    }
}
