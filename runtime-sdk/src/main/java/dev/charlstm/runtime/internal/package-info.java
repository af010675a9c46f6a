/**
 * Not API: helpers that charlstm's own trainer and command line share with the runtime (the logit sampler, its
 * random generator and the SHA-256 helper). They may change in any release; applications use {@link dev.charlstm.runtime} and
 * {@link dev.charlstm.runtime.pack}. The module descriptor exports this package only to charlstm's modules.
 */
package dev.charlstm.runtime.internal;
