package dev.charlstm.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.charlstm.runtime.pack.ModelShape;

/**
 * The tutorial's model as a DJL block: Embedding(V, E) → LSTM(H, L layers, batch-first) → Linear(H, V).
 *
 * <p>Input: {@code tokens} int [B, T], optionally followed by the state {@code h}, {@code c} float [L, B, H].
 * Output: {@code logits} [B, T, V], {@code h} and {@code c} [L, B, H] after the last step. Passing the state back
 * in continues a sequence, so running a sequence whole equals running it a step at a time.
 *
 * <p>This is its own block rather than a {@code SequentialBlock} because DJL's LSTM returns three arrays while
 * declaring two output shapes, and because the embedding is a plain parameter (DJL's
 * {@code TrainableWordEmbedding} insists on a word vocabulary). Parameters are initialised as PyTorch does, not
 * as DJL's defaults would: embedding N(0, 1); LSTM weights and biases U(±1/√H); head U(±1/√H).
 *
 * <p>Parameter names (stable: checkpoints and the ONNX export use them): {@code embedding} [V, E];
 * {@code 01lstm_l_k_i2h_WEIGHT} [4H, in], {@code 01lstm_l_k_h2h_WEIGHT} [4H, H], {@code 01lstm_l_k_i2h_BIAS},
 * {@code 01lstm_l_k_h2h_BIAS} [4H] with gates in PyTorch order i, f, g, o; {@code 02head_weight} [V, H],
 * {@code 02head_bias} [V].
 *
 * <p>Not thread-safe: a block and its parameters belong to one training loop.
 */
public final class CharLstm extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ModelShape shape;
    private final Parameter embedding;
    private final LSTM lstm;
    private final Linear head;

    /**
     * @param shape the model's shape
     * @throws IllegalStateException if its vocabulary size is not known yet
     */
    public CharLstm(ModelShape shape) {
        super(VERSION);
        this.shape = shape.requireVocabSize();
        float bound = (float) (1.0 / Math.sqrt(shape.hiddenSize()));
        embedding = addParameter(Parameter.builder()
                .setName("embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(shape.vocabSize(), shape.embeddingSize()))
                .optInitializer(new NormalInitializer(1f))
                .build());
        lstm = addChildBlock(
                "lstm",
                LSTM.builder()
                        .setStateSize(shape.hiddenSize())
                        .setNumLayers(shape.layers())
                        .optDropRate(shape.dropout())
                        .optBatchFirst(true)
                        .optReturnState(true)
                        .build());
        lstm.setInitializer(new UniformInitializer(bound), Parameter.Type.WEIGHT);
        lstm.setInitializer(new UniformInitializer(bound), Parameter.Type.BIAS);
        head = addChildBlock(
                "head", Linear.builder().setUnits(shape.vocabSize()).build());
        // PyTorch's Linear: kaiming_uniform(a=√5) for the weight and U(±1/√fan_in) for the bias: both ±1/√H.
        head.setInitializer(new UniformInitializer(bound), Parameter.Type.WEIGHT);
        head.setInitializer(new UniformInitializer(bound), Parameter.Type.BIAS);
    }

    /** @return the model's shape */
    public ModelShape shape() {
        return shape;
    }

    /**
     * Allocates and initialises the parameters in {@code manager}.
     *
     * @param manager owns the parameter arrays
     */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray weight = store.getValue(embedding, tokens.getDevice(), training);
        NDArray x = Embedding.embedding(tokens, weight, SparseFormat.DENSE).head();
        NDList lstmIn = new NDList(x);
        if (inputs.size() == 3) {
            lstmIn.add(inputs.get(1));
            lstmIn.add(inputs.get(2));
        }
        NDList out = lstm.forward(store, lstmIn, training);
        NDArray logits = head.forward(store, new NDList(out.get(0)), training).head();
        return new NDList(logits, out.get(1), out.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape state = new Shape(shape.layers(), in.get(0), shape.hiddenSize());
        return new Shape[] {new Shape(in.get(0), in.get(1), shape.vocabSize()), state, state};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape embedded = new Shape(in.get(0), in.get(1), shape.embeddingSize());
        lstm.initialize(manager, dataType, embedded);
        head.initialize(manager, dataType, new Shape(in.get(0), in.get(1), shape.hiddenSize()));
    }
}
