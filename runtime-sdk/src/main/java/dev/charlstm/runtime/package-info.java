/**
 * The charlstm runtime SDK: loads model packages and generates text with ONNX Runtime. It never depends on DJL.
 * For now it holds the pieces shared with the trainer, such as {@link dev.charlstm.runtime.Vocabulary}.
 */
package dev.charlstm.runtime;
