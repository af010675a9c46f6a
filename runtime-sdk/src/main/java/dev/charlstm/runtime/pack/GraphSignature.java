package dev.charlstm.runtime.pack;

/**
 * The names of a graph's inputs and outputs. The single-step graph: {@code token} int64 [batch], {@code h} and
 * {@code c} float [L, batch, H] in; {@code logits} float [batch, V], {@code h_out} and {@code c_out} float
 * [L, batch, H] out. The sequence graph: tokens int64 [T, batch] in (the {@code token} role), logits
 * [T, batch, V] out, the states as above. Immutable and thread-safe.
 *
 * @param token the input holding one token id per stream
 * @param h the input hidden state
 * @param c the input cell state
 * @param logits the output next-character logits
 * @param hOut the output hidden state
 * @param cOut the output cell state
 */
public record GraphSignature(String token, String h, String c, String logits, String hOut, String cOut) {

    /** The step graph's names as charlstm's exporter writes them. */
    public static final GraphSignature STEP = new GraphSignature("token", "h", "c", "logits", "h_out", "c_out");
    /** The sequence graph's names as charlstm's exporter writes them. */
    public static final GraphSignature SEQUENCE = new GraphSignature("tokens", "h", "c", "logits", "h_out", "c_out");

    /**
     * Checks that no name is missing or blank, and that all six differ.
     *
     * @throws IllegalArgumentException naming the role, e.g. {@code inputs.token is missing: ...}
     */
    public GraphSignature {
        check("", token, h, c, logits, hOut, cOut);
    }

    /** The checks of the constructor, with messages naming each role under {@code prefix} (e.g. graphs.step.). */
    static void check(String prefix, String token, String h, String c, String logits, String hOut, String cOut) {
        String[] names = {token, h, c, logits, hOut, cOut};
        String[] roles = {"inputs.token", "inputs.h", "inputs.c", "outputs.logits", "outputs.h", "outputs.c"};
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null || names[i].isBlank()) {
                throw new IllegalArgumentException(prefix + roles[i] + " is " + (names[i] == null ? "missing" : "blank")
                        + ": it must name the graph's tensor");
            }
        }
        for (int i = 0; i < names.length; i++) {
            for (int k = i + 1; k < names.length; k++) {
                if (names[i].equals(names[k])) {
                    throw new IllegalArgumentException(prefix + roles[i] + " and " + prefix + roles[k] + " both name \""
                            + names[i] + "\": the names of the six tensors must all differ");
                }
            }
        }
    }
}
