package dev.charlstm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.CharacterLogprob;
import dev.charlstm.runtime.FinishReason;
import dev.charlstm.runtime.GenerationResult;
import dev.charlstm.runtime.pack.ModelManifest;
import dev.charlstm.runtime.pack.Provenance;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON bodies the server answers, in OpenAI's shapes: completions ({@code text_completion}), chat completions
 * ({@code chat.completion} and {@code chat.completion.chunk}), their logprobs, usage, and models. Stateless.
 */
final class Responses {

    private Responses() {}

    static String finishReason(GenerationResult r) {
        return r.finishReason() == FinishReason.STOP_SEQUENCE ? "stop" : "length";
    }

    static JsonObject head(String id, String object, long created, String modelId) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", object);
        o.addProperty("created", created);
        o.addProperty("model", modelId);
        return o;
    }

    static JsonObject usage(long prompt, long completion) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", prompt);
        u.addProperty("completion_tokens", completion);
        u.addProperty("total_tokens", prompt + completion);
        return u;
    }

    // ---------------------------------------------------------------------------------------------------- logprobs

    /**
     * Completions' logprobs: parallel lists of characters, their logprobs, the top alternatives (with the chosen
     * character always among them, as OpenAI does) and offsets in code points from the start of the choice's text.
     * A null entry (the first character of an echoed prompt, which nothing predicts) is null in each list.
     */
    static JsonObject completionLogprobs(List<String> characters, List<CharacterLogprob> logprobs, int offset) {
        JsonArray tokens = new JsonArray();
        JsonArray values = new JsonArray();
        JsonArray tops = new JsonArray();
        JsonArray offsets = new JsonArray();
        for (int i = 0; i < characters.size(); i++) {
            CharacterLogprob lp = logprobs.get(i);
            tokens.add(characters.get(i));
            offsets.add(offset + i);
            if (lp == null) {
                values.add(JsonNull.INSTANCE);
                tops.add(JsonNull.INSTANCE);
                continue;
            }
            values.add(lp.logprob());
            JsonObject top = new JsonObject();
            for (CharacterLogprob alt : lp.topLogprobs()) {
                top.addProperty(alt.character(), alt.logprob());
            }
            if (!top.has(lp.character())) {
                top.addProperty(lp.character(), lp.logprob());
            }
            tops.add(top);
        }
        JsonObject o = new JsonObject();
        o.add("tokens", tokens);
        o.add("token_logprobs", values);
        o.add("top_logprobs", tops);
        o.add("text_offset", offsets);
        return o;
    }

    /** Chat's logprobs: {@code {"content": [{token, logprob, bytes, top_logprobs}], "refusal": null}}. */
    static JsonObject chatLogprobs(List<CharacterLogprob> logprobs) {
        JsonArray content = new JsonArray();
        for (CharacterLogprob lp : logprobs) {
            JsonObject t = chatToken(lp);
            JsonArray top = new JsonArray();
            for (CharacterLogprob alt : lp.topLogprobs()) {
                top.add(chatToken(alt));
            }
            t.add("top_logprobs", top);
            content.add(t);
        }
        JsonObject o = new JsonObject();
        o.add("content", content);
        o.add("refusal", JsonNull.INSTANCE);
        return o;
    }

    private static JsonObject chatToken(CharacterLogprob lp) {
        JsonObject t = new JsonObject();
        t.addProperty("token", lp.character());
        t.addProperty("logprob", lp.logprob());
        JsonArray bytes = new JsonArray();
        for (byte b : lp.character().getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xFF);
        }
        t.add("bytes", bytes);
        return t;
    }

    // ------------------------------------------------------------------------------------------------------ chunks

    /** A streamed completions chunk of one choice: its text, logprobs (or null) and finish reason (or null). */
    static JsonObject completionChunk(
            JsonObject head, int choice, String text, JsonObject logprobs, String finishReason, boolean usageNull) {
        JsonObject c = new JsonObject();
        c.addProperty("text", text);
        c.addProperty("index", choice);
        c.add("logprobs", logprobs == null ? JsonNull.INSTANCE : logprobs);
        c.addProperty("finish_reason", finishReason);
        return chunk(head, c, usageNull);
    }

    /** A streamed chat chunk of one choice: its delta ({@code role} and/or {@code content}, or empty at the end). */
    static JsonObject chatChunk(
            JsonObject head,
            int choice,
            String role,
            String content,
            JsonObject logprobs,
            String finishReason,
            boolean usageNull) {
        JsonObject delta = new JsonObject();
        if (role != null) {
            delta.addProperty("role", role);
        }
        if (content != null) {
            delta.addProperty("content", content);
        }
        JsonObject c = new JsonObject();
        c.addProperty("index", choice);
        c.add("delta", delta);
        c.add("logprobs", logprobs == null ? JsonNull.INSTANCE : logprobs);
        c.addProperty("finish_reason", finishReason);
        return chunk(head, c, usageNull);
    }

    private static JsonObject chunk(JsonObject head, JsonObject choice, boolean usageNull) {
        JsonObject o = head.deepCopy();
        JsonArray cs = new JsonArray();
        cs.add(choice);
        o.add("choices", cs);
        if (usageNull) {
            o.add("usage", JsonNull.INSTANCE);
        }
        return o;
    }

    /** The last chunk when usage was asked for: no choices, the usage. */
    static JsonObject usageChunk(JsonObject head, JsonObject usage) {
        JsonObject o = head.deepCopy();
        o.add("choices", new JsonArray());
        o.add("usage", usage);
        return o;
    }

    // ------------------------------------------------------------------------------------------------------ models

    static JsonObject model(String modelId, long created, ModelManifest man) {
        Provenance p = man.provenance();
        JsonObject meta = new JsonObject();
        meta.addProperty("vocab_size", man.shape().vocabSize());
        meta.addProperty("embedding_size", man.shape().embeddingSize());
        meta.addProperty("hidden_size", man.shape().hiddenSize());
        meta.addProperty("layers", man.shape().layers());
        meta.addProperty("parameters", man.shape().parameterCount());
        meta.addProperty(
                "vocabulary",
                new String(man.vocabulary().codePoints(), 0, man.shape().vocabSize()));
        meta.addProperty("corpus", p.corpusName());
        meta.addProperty("iterations", p.iterations());
        meta.addProperty("val_loss_nats_per_char", p.valLoss());
        meta.addProperty("val_bits_per_char", p.valBitsPerChar());
        meta.addProperty("tokens", "characters: max_tokens and usage count Unicode code points");
        JsonObject model = new JsonObject();
        model.addProperty("id", modelId);
        model.addProperty("object", "model");
        model.addProperty("created", created);
        model.addProperty("owned_by", "charlstm");
        model.add("meta", meta);
        return model;
    }
}
