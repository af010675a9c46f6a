package dev.charlstm.runtime.pack;

import java.util.List;
import java.util.Map;

/**
 * The JSON shape of {@code vocab.json}, for Gson (field names map to snake_case). See {@code docs/model-package.md}.
 * A plain data holder: not thread-safe; {@link ModelInfo} is the validated, immutable view.
 */
final class VocabJson {
    String format;
    Integer version;
    Model model;
    Vocab vocabulary;
    Graph graph;
    Cleaning cleaning;
    Provenance provenance;

    static final class Model {
        String architecture;
        Integer vocabSize;
        Integer embeddingSize;
        Integer hiddenSize;
        Integer layers;
    }

    static final class Vocab {
        int[] codePoints;
        List<String> characters;
    }

    static final class Graph {
        String file;
        String sha256;
        Integer opset;
        Names inputs;
        Names outputs;
    }

    static final class Names {
        String token;
        String logits;
        String h;
        String c;
    }

    static final class Cleaning {
        String dropLinesContaining;
        boolean keepNewlines;
    }

    static final class Provenance {
        String producer;
        String createdAt;
        String corpusSource;
        String corpusSha256;
        Long corpusCharacters;
        Integer iterations;
        Double valLoss;
        Double valBitsPerChar;
        Map<String, Object> training;
    }
}
