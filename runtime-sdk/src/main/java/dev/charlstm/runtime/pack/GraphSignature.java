package dev.charlstm.runtime.pack;

/**
 * The names of the single-step graph's inputs and outputs: {@code token} int64 [batch], {@code h} and {@code c}
 * float [L, batch, H] in; {@code logits} float [batch, V], {@code h_out} and {@code c_out} float [L, batch, H] out.
 * Immutable and thread-safe.
 *
 * @param token the input holding one token id per stream
 * @param h the input hidden state
 * @param c the input cell state
 * @param logits the output next-character logits
 * @param hOut the output hidden state
 * @param cOut the output cell state
 */
public record GraphSignature(String token, String h, String c, String logits, String hOut, String cOut) {

    /** The names charlstm's exporter writes. */
    public static final GraphSignature DEFAULT = new GraphSignature("token", "h", "c", "logits", "h_out", "c_out");

    /** Checks that no name is missing or blank, and that all six differ. */
    public GraphSignature {
        for (String n : new String[] {token, h, c, logits, hOut, cOut}) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("graph input and output names must not be missing or blank");
            }
        }
        if (new java.util.HashSet<>(java.util.List.of(token, h, c, logits, hOut, cOut)).size() != 6) {
            throw new IllegalArgumentException("graph input and output names must all differ: " + this);
        }
    }
}
