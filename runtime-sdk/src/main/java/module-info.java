/**
 * The charlstm runtime SDK: load a model package and stream generated characters, on ONNX Runtime (never DJL).
 * Exports the API packages; {@code dev.charlstm.runtime.internal} is shared with charlstm's own modules only.
 */
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
