/**
 * The charlstm runtime SDK: load a model package and stream generated characters, on ONNX Runtime (never DJL).
 *
 * <p>Start at {@link dev.charlstm.runtime.CharLstmModel} (load once, share between threads), open a
 * {@link dev.charlstm.runtime.GenerationStream} per conversation, and configure generation with
 * {@link dev.charlstm.runtime.GenerationOptions}. A model trained on a list (names, words: one item per line) makes
 * new items with {@link dev.charlstm.runtime.CharLstmModel#generateItems} and
 * {@link dev.charlstm.runtime.ItemOptions}, each labelled by {@link dev.charlstm.runtime.pack.LineItems.Origin}. The
 * package format lives in {@link dev.charlstm.runtime.pack}.
 */
package dev.charlstm.runtime;
