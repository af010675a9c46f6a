/**
 * Not API: what charlstm's own modules (trainer, server, CLI) share with the runtime so that each exists once: the
 * logit sampler and its random generator, SHA-256, the one way to write files atomically ({@code AtomicFiles}), the
 * one strict JSON field reader with path-naming errors ({@code JsonFields}: manifests, checkpoints, the
 * hyper-parameter table and the server's request bodies), and the names of format-1 training fields. They may change
 * in any release; applications use {@link dev.charlstm.runtime} and {@link dev.charlstm.runtime.pack}. The module
 * descriptor exports this package only to charlstm's modules.
 */
package dev.charlstm.runtime.internal;
