package dev.charlstm.trainer.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A thin layer over the ONNX protobuf builders ({@code ai.onnx.proto.OnnxMl} from tribuo-util-onnx): nodes,
 * initializers and typed graph inputs/outputs with symbolic dimensions. Not thread-safe.
 */
final class OnnxGraphWriter {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int nodes;

    OnnxGraphWriter(String name) {
        graph.setName(name);
    }

    /** Adds a float initializer, stored little-endian in raw_data. */
    String floats(String name, float[] data, long... dims) {
        checkCount(name, data.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(toList(dims))
                .setRawData(ByteString.copyFrom(buf.array())));
        return name;
    }

    /** Adds an int8 initializer, stored in raw_data. */
    String int8s(String name, byte[] data, long... dims) {
        checkCount(name, data.length, dims);
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT8_VALUE)
                .addAllDims(toList(dims))
                .setRawData(ByteString.copyFrom(data)));
        return name;
    }

    private static void checkCount(String name, int values, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != values) {
            throw new IllegalArgumentException(name + ": " + values + " values for shape " + Arrays.toString(dims));
        }
    }

    /** Adds a uint8 initializer, stored in raw_data (no dims: a scalar). */
    String uint8s(String name, byte[] data, long... dims) {
        checkCount(name, data.length, dims);
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.UINT8_VALUE)
                .addAllDims(toList(dims))
                .setRawData(ByteString.copyFrom(data)));
        return name;
    }

    /** Adds a 1-D int64 initializer. */
    String longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /**
     * Adds a node.
     *
     * @param op the operator type
     * @param inputs input names ("" for an omitted optional input)
     * @param outputs output names ("" for an unused optional output)
     * @param attributes name/value pairs; values are Integer/Long (int) or Float
     * @return the first output's name
     */
    String node(String op, String[] inputs, String[] outputs, Object... attributes) {
        return node("", op, inputs, outputs, attributes);
    }

    /** Adds a node of ONNX Runtime's contrib domain {@code com.microsoft}; see {@link #node}. */
    String msNode(String op, String[] inputs, String[] outputs, Object... attributes) {
        return node(OnnxExporter.MS_DOMAIN, op, inputs, outputs, attributes);
    }

    private String node(String domain, String op, String[] inputs, String[] outputs, Object... attributes) {
        NodeProto.Builder n =
                NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++).setDomain(domain);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String out : outputs) {
            n.addOutput(out);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName((String) attributes[i]);
            Object v = attributes[i + 1];
            if (v instanceof Float) {
                a.setType(AttributeProto.AttributeType.FLOAT).setF((Float) v);
            } else if (v instanceof GraphProto) {
                a.setType(AttributeProto.AttributeType.GRAPH).setG((GraphProto) v);
            } else {
                a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outputs[0];
    }

    /** Declares a graph input; a dimension is a Long (fixed) or a String (symbolic). */
    void input(String name, int elementType, Object... dims) {
        graph.addInput(valueInfo(name, elementType, dims));
    }

    /** Declares a graph output; a dimension is a Long (fixed) or a String (symbolic). */
    void output(String name, int elementType, Object... dims) {
        graph.addOutput(valueInfo(name, elementType, dims));
    }

    private static ValueInfoProto valueInfo(String name, int elementType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String) {
                dim.setDimParam((String) d);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    GraphProto build() {
        return graph.build();
    }

    private static List<Long> toList(long[] dims) {
        List<Long> l = new ArrayList<>(dims.length);
        for (long d : dims) {
            l.add(d);
        }
        return l;
    }
}
