package dev.charlstm.runtime.pack;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The operators of a serialised ONNX model's main graph, read straight from the protobuf wire format (ModelProto
 * field 7 {@code graph} → GraphProto field 1 {@code node} → NodeProto field 4 {@code op_type}, field 7
 * {@code domain}), skipping everything else without copying it. It lets a package reader check what its manifest
 * claims about the graphs (float32 or int8) without ONNX Runtime and without a protobuf library in the SDK.
 * Stateless and thread-safe.
 */
final class OnnxOperators {

    private OnnxOperators() {}

    /**
     * @param onnx a serialised ModelProto
     * @return the graph's operators as {@code domain.op_type} ({@code op_type} alone for the default domain)
     * @throws IllegalArgumentException if the bytes are not a well-formed protobuf message
     */
    static Set<String> of(byte[] onnx) {
        Set<String> ops = new LinkedHashSet<>();
        Reader model = new Reader(onnx, 0, onnx.length);
        while (model.more()) {
            int tag = model.tag();
            if (tag == (7 << 3 | 2)) {
                Reader graph = model.message();
                while (graph.more()) {
                    int t = graph.tag();
                    if (t == (1 << 3 | 2)) {
                        Reader node = graph.message();
                        String op = "";
                        String domain = "";
                        while (node.more()) {
                            int n = node.tag();
                            if (n == (4 << 3 | 2)) {
                                op = node.string();
                            } else if (n == (7 << 3 | 2)) {
                                domain = node.string();
                            } else {
                                node.skip(n);
                            }
                        }
                        ops.add(domain.isEmpty() || domain.equals("ai.onnx") ? op : domain + "." + op);
                    } else {
                        graph.skip(t);
                    }
                }
            } else {
                model.skip(tag);
            }
        }
        return ops;
    }

    /** A cursor over one message's bytes. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int from, int end) {
            this.b = b;
            this.pos = from;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long t = varint();
            if (t <= 0 || t > Integer.MAX_VALUE) {
                throw malformed();
            }
            return (int) t;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw malformed();
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw malformed();
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw malformed();
            }
            return (int) n;
        }

        Reader message() {
            int n = length();
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        String string() {
            int n = length();
            String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw malformed(); // groups (3, 4) are not used by ONNX
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw malformed();
            }
            pos += n;
        }

        private static IllegalArgumentException malformed() {
            return new IllegalArgumentException("not a well-formed ONNX model (protobuf)");
        }
    }
}
