package dev.charlstm.cli.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.JsonFields;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/completions} body, read as OpenAI's completions API defines it and checked: {@code prompt}
 * (a string or an array of strings), {@code max_tokens} (counted in characters here, default 16), {@code temperature}
 * (0 to 2; 0 = greedy), {@code top_p}, {@code n}, {@code stop} (a string or up to 4), {@code seed}, {@code stream},
 * {@code stream_options.include_usage}, {@code echo}, {@code user}, and llama.cpp's {@code top_k} and
 * {@code repeat_penalty}. Fields it does not know are ignored; OpenAI fields it cannot honour ({@code logprobs},
 * {@code suffix}, {@code logit_bias}, penalties other than 0, {@code best_of} other than n) are refused, never
 * silently dropped. Immutable.
 *
 * @param prompts the prompts
 * @param n choices per prompt
 * @param options generation options of choice 0 (choice i samples with {@code seed + i})
 * @param seed the seed of choice 0 (given, or drawn when absent)
 * @param stream whether to answer with Server-Sent Events
 * @param includeUsage whether a streamed answer ends with a usage frame
 * @param echo whether each choice's text starts with its prompt
 */
record CompletionRequest(List<String> prompts, int n, GenerationOptions options, long seed, boolean stream,
        boolean includeUsage, boolean echo) {

    private static final SecureRandom SEEDS = new SecureRandom();

    /** @return how many streams the request generates: prompts × n */
    int choices() {
        return prompts.size() * n;
    }

    /**
     * @param body the JSON body
     * @param limits the server's limits
     * @param modelId the loaded model's id
     * @param vocabulary the model's vocabulary (a prompt character outside it is refused here, naming it)
     * @param session whether this continues a session (one prompt, n = 1, and it may be empty)
     * @return the request
     * @throws ApiError 400 (wrong type or value), 404 (another model), 413 (prompt too long)
     */
    static CompletionRequest parse(JsonObject body, ServerOptions limits, String modelId,
            dev.charlstm.runtime.pack.ModelManifest manifest, boolean session) {
        Vocabulary vocabulary = manifest.vocabulary();
        Fields f = new Fields(body);
        String model = f.string("model");
        if (model != null && !model.equals(modelId)) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found", "The model '" + model
                    + "' does not exist: this server serves '" + modelId + "'");
        }
        // in the model's normal form (NFC for packages that record it), as the SDK takes them: lengths, positions and
        // usage count the characters the model sees
        List<String> prompts = prompts(body.get("prompt"), session).stream()
                .map(p -> manifest.normalize(p).toString()).toList();
        for (int p = 0; p < prompts.size(); p++) {
            String prompt = prompts.get(p);
            String at = prompts.size() > 1 ? "prompt[" + p + "]" : "prompt";
            int length = prompt.codePointCount(0, prompt.length());
            if (length > limits.maxPromptCharacters()) {
                throw new ApiError(413, "invalid_request_error", "prompt", "prompt_too_long", at + " has " + length
                        + " characters; this server takes at most " + limits.maxPromptCharacters()
                        + " (--max-prompt-chars)");
            }
            int position = 0;
            for (int i = 0; i < prompt.length(); i += Character.charCount(prompt.codePointAt(i))) {
                int cp = prompt.codePointAt(i);
                if (!vocabulary.contains(cp)) {
                    throw ApiError.invalid("prompt", "unknown_character", at + ": " + Vocabulary.describe(cp)
                            + " at position " + position + " is not in the model's vocabulary (" + vocabulary.size()
                            + " characters; GET /v1/models lists them)");
                }
                position++;
            }
        }
        int maxTokens = f.integer("max_tokens", 16, 1, limits.maxTokens(),
                "at most --max-tokens " + limits.maxTokens() + " characters");
        double temperature = f.number("temperature", 1, 0, 2);
        double topP = f.number("top_p", 1, 0, 1);
        int topK = f.integer("top_k", 0, 0, Integer.MAX_VALUE, null);
        double repeatPenalty = f.number("repeat_penalty", 1, 1, 100);
        int n = f.integer("n", 1, 1, session ? 1 : limits.maxRows(), session ? "1 in a session" : null);
        if ((long) n * prompts.size() > limits.maxRows()) {
            throw ApiError.invalid("n", "invalid_value", prompts.size() + " prompts × n " + n + " = " + n
                    * prompts.size() + " streams, more than this server generates at once (--max-rows "
                    + limits.maxRows() + ")");
        }
        List<String> stop = stop(body.get("stop"));
        Long givenSeed = f.longValue("seed");
        long seed = givenSeed != null ? givenSeed : SEEDS.nextLong() >>> 1;
        boolean stream = f.bool("stream", false);
        JsonObject streamOptions = f.object("stream_options");
        boolean includeUsage = streamOptions != null && new Fields(streamOptions, "stream_options.")
                .bool("include_usage", false);
        boolean echo = f.bool("echo", false);
        f.string("user");
        refuseUnsupported(f, n);
        GenerationOptions.Builder o = GenerationOptions.builder().maxCharacters(maxTokens).seed(seed)
                .stopSequences(stop).topK(topK).repetitionPenalty((float) repeatPenalty);
        // Below float's resolution a temperature or top-p is 0: the most likely character, as OpenAI's 0 means.
        if ((float) temperature < 1e-6f || (float) topP < 1e-6f) {
            o.greedy(true);
        } else {
            o.temperature((float) temperature).topP((float) topP);
        }
        return new CompletionRequest(prompts, n, o.build(), seed, stream, includeUsage, echo);
    }

    private static List<String> prompts(JsonElement e, boolean session) {
        List<String> prompts = new ArrayList<>();
        if (e == null || e.isJsonNull()) {
            if (session) {
                prompts.add("");
                return prompts;
            }
            throw ApiError.invalid("prompt", "missing", "prompt is required: a string, or an array of strings");
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            prompts.add(e.getAsString());
        } else if (e.isJsonArray() && !session) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                JsonElement x = a.get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    throw ApiError.invalid("prompt", "invalid_type", "prompt[" + i + "] must be a string, got "
                            + shown(x) + " (token arrays are not supported: this model reads characters)");
                }
                prompts.add(x.getAsString());
            }
            if (prompts.isEmpty()) {
                throw ApiError.invalid("prompt", "invalid_value", "prompt is an empty array");
            }
        } else {
            throw ApiError.invalid("prompt", "invalid_type", "prompt must be a string" + (session ? "" : " or an array"
                    + " of strings") + ", got " + shown(e));
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isEmpty() && !session) {
                throw ApiError.invalid("prompt", "invalid_value", (prompts.size() > 1 ? "prompt[" + i + "]" : "prompt")
                        + " is empty: this model continues text, give it some");
            }
        }
        return prompts;
    }

    private static List<String> stop(JsonElement e) {
        List<String> stop = new ArrayList<>();
        if (e == null || e.isJsonNull()) {
            return stop;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            stop.add(e.getAsString());
        } else if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    throw ApiError.invalid("stop", "invalid_type", "stop must hold strings, got " + shown(x));
                }
                stop.add(x.getAsString());
            }
        } else {
            throw ApiError.invalid("stop", "invalid_type", "stop must be a string or an array of up to 4 strings, got "
                    + shown(e));
        }
        if (stop.size() > 4) {
            throw ApiError.invalid("stop", "invalid_value", "stop holds " + stop.size() + " sequences; at most 4");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw ApiError.invalid("stop", "invalid_value", "stop sequences must not be empty");
        }
        return stop;
    }

    private static void refuseUnsupported(Fields f, int n) {
        JsonObject b = f.json;
        for (String field : new String[] {"logprobs", "suffix"}) {
            if (b.has(field) && !b.get(field).isJsonNull()) {
                throw ApiError.invalid(field, "unsupported", field + " is not supported by this server");
            }
        }
        if (b.has("logit_bias") && !b.get("logit_bias").isJsonNull()
                && !(b.get("logit_bias").isJsonObject() && b.getAsJsonObject("logit_bias").size() == 0)) {
            throw ApiError.invalid("logit_bias", "unsupported", "logit_bias is not supported by this server");
        }
        for (String penalty : new String[] {"presence_penalty", "frequency_penalty"}) {
            if (f.number(penalty, 0, -2, 2) != 0) {
                throw ApiError.invalid(penalty, "unsupported", penalty + " is not supported; use repeat_penalty"
                        + " (1 = off, above 1 discourages the last 64 characters)");
            }
        }
        int bestOf = f.integer("best_of", n, 1, Integer.MAX_VALUE, null);
        if (bestOf != n) {
            throw ApiError.invalid("best_of", "unsupported", "best_of must equal n: choices are not ranked here");
        }
    }

    static String shown(JsonElement e) {
        String s = e.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /**
     * Optional fields read through the runtime's typed JSON access (the one place that decides what a wrong type
     * is), with defaults and ranges; a wrong type or an out-of-range value is a 400 naming the field.
     */
    private static final class Fields {
        final JsonObject json;
        final JsonFields fields;
        final String prefix;

        Fields(JsonObject json) {
            this(json, "");
        }

        Fields(JsonObject json, String prefix) {
            this.json = json;
            this.fields = JsonFields.root(json);
            this.prefix = prefix;
        }

        private <T> T read(java.util.function.Supplier<T> r) {
            try {
                return r.get();
            } catch (JsonFields.FieldException e) {
                throw ApiError.invalid(prefix + e.field(), "invalid_type", prefix + e.problem());
            }
        }

        String string(String key) {
            return read(() -> fields.string(key));
        }

        JsonObject object(String key) {
            JsonFields o = read(() -> fields.objectOrNull(key));
            return o == null ? null : o.json();
        }

        boolean bool(String key, boolean otherwise) {
            Boolean v = read(() -> fields.bool(key));
            return v == null ? otherwise : v;
        }

        double number(String key, double otherwise, double min, double max) {
            Double v = read(() -> fields.number(key));
            if (v == null) {
                return otherwise;
            }
            if (!(v >= min && v <= max)) {
                throw ApiError.invalid(prefix + key, "invalid_value", prefix + key + " must be between " + plain(min)
                        + " and " + plain(max) + ", got " + shown(json.get(key)));
            }
            return v;
        }

        Long longValue(String key) {
            return read(() -> fields.integer(key));
        }

        int integer(String key, int otherwise, int min, int max, String maxMeaning) {
            Long v = longValue(key);
            if (v == null) {
                return otherwise;
            }
            if (v < min || v > max) {
                throw ApiError.invalid(prefix + key, "invalid_value", prefix + key + " must be "
                        + (max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max)
                        + (maxMeaning == null ? "" : " (" + maxMeaning + ")") + ", got " + v);
            }
            return v.intValue();
        }

        private static String plain(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
