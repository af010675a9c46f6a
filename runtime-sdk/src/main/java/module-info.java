/**
 * The charlstm runtime SDK: load a model package and stream generated characters, on ONNX Runtime (never DJL).
 * Exports the API packages; {@code dev.charlstm.runtime.internal} is shared with charlstm's own modules only.
 */
// Lint off for two known facts: the qualified export names charlstm's modules, which are not on this module's path
// when it is compiled ("module"), and ONNX Runtime's jar is an automatic module an app must read too
// ("requires-transitive-automatic")
@SuppressWarnings({"module", "requires-transitive-automatic"})
module dev.charlstm.runtime {
    requires transitive com.microsoft.onnxruntime;
    requires com.google.gson;
    requires org.slf4j;

    exports dev.charlstm.runtime;
    exports dev.charlstm.runtime.pack;
    // Named modules may read it only by name; on the classpath (where the trainer, server and CLI run) the fence is
    // the package's documentation and CONTRIBUTING.md's dependency rule, not the compiler.
    exports dev.charlstm.runtime.internal to
            dev.charlstm.trainer,
            dev.charlstm.server,
            dev.charlstm.cli;
}
