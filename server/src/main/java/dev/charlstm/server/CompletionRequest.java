package dev.charlstm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.TextCleaning;
import dev.charlstm.runtime.UnknownCharacterException;
import dev.charlstm.runtime.Vocabulary;
import dev.charlstm.runtime.internal.JsonFields;
import dev.charlstm.runtime.pack.ModelManifest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@code POST /v1/completions} or {@code POST /v1/chat/completions} body, read as OpenAI's API defines it and
 * checked. Shared: {@code max_tokens} (counted in characters here; chat also takes {@code max_completion_tokens}),
 * {@code temperature} (0 to 2; 0 = greedy), {@code top_p}, {@code n}, {@code stop} (a string or up to 4),
 * {@code seed}, {@code stream}, {@code stream_options.include_usage} (only with {@code stream}), {@code user}, and
 * llama.cpp's {@code top_k} and {@code repeat_penalty}. Completions: {@code prompt} (a string or an array of
 * strings), {@code echo}, {@code logprobs} (0 to 5). Chat: {@code messages} (system, developer, user and assistant
 * messages, text only; each cleaned as the model's training text was, so line breaks and runs of spaces become what
 * the model knows) turned into one prompt by the {@link ChatTemplate}, {@code logprobs} and
 * {@code top_logprobs} (0 to 20). Fields it does not know are ignored; OpenAI fields it cannot honour are refused by
 * name, never silently dropped. Immutable.
 *
 * @param prompts the prompts (a chat request has one: its rendered messages)
 * @param n choices per prompt
 * @param options generation options of choice 0 (choice i samples with {@code seed + i})
 * @param seed the seed of choice 0 (given, or drawn when absent)
 * @param stream whether to answer with Server-Sent Events
 * @param includeUsage whether a streamed answer ends with a usage frame (and carries {@code "usage": null} before)
 * @param echo whether each choice's text starts with its prompt
 * @param logprobs how many top alternatives to list with each character's logprob; -1 = no logprobs
 * @param chat whether this is a chat completion (its answer's shape)
 */
@SuppressWarnings("InvalidParam") // the javadoc names JSON fields (prompt), not the components
record CompletionRequest(
        List<String> prompts,
        int n,
        GenerationOptions options,
        long seed,
        boolean stream,
        boolean includeUsage,
        boolean echo,
        int logprobs,
        boolean chat) {

    private static final SecureRandom SEEDS = new SecureRandom();
    /** OpenAI's caps on the alternatives listed: 5 for completions, 20 for chat. */
    static final int MAX_LOGPROBS = 5;

    static final int MAX_TOP_LOGPROBS = 20;

    /** @return how many streams the request generates: prompts × n */
    int choices() {
        return prompts.size() * n;
    }

    /**
     * Reads a completions body.
     *
     * @param body the JSON body
     * @param limits the server's limits
     * @param model the loaded model (a prompt it would refuse is refused here)
     * @param session whether this continues a session (one prompt, n = 1, and it may be empty)
     * @return the request
     * @throws ApiError 400 (wrong type or value), 404 (another model), 413 (prompt too long)
     */
    static CompletionRequest parse(JsonObject body, ServerOptions limits, CharLstmModel model, boolean session) {
        ModelManifest manifest = model.manifest();
        Fields f = new Fields(body);
        model(f, limits);
        // in the model's normal form (NFC for packages that record it), as the SDK takes them: lengths, positions and
        // usage count the characters the model sees
        List<String> prompts = prompts(body.get("prompt"), session).stream()
                .map(p -> manifest.normalize(p).toString())
                .toList();
        for (int p = 0; p < prompts.size(); p++) {
            checkLength(prompts.get(p), at(prompts, p), "prompt", limits);
        }
        boolean echo = f.bool("echo", false);
        int logprobs = f.integer("logprobs", -1, 0, MAX_LOGPROBS, "OpenAI's cap");
        if (session && echo && logprobs >= 0) {
            throw ApiError.unsupported(
                    "logprobs",
                    "echo with logprobs scores a prompt from the zero state, which a"
                            + " session has left; score it with POST /v1/completions");
        }
        for (String field : new String[] {"suffix"}) {
            if (body.has(field) && !body.get(field).isJsonNull()) {
                throw ApiError.unsupported(field, null);
            }
        }
        int n = f.integer("n", 1, 1, session ? 1 : limits.maxRows(), session ? "1 in a session" : null);
        int bestOf = f.integer("best_of", n, 1, Integer.MAX_VALUE, null);
        if (bestOf != n) {
            throw ApiError.unsupported("best_of", "best_of must equal n: choices are not ranked here");
        }
        int maxTokens = f.integer(
                "max_tokens", 16, 0, limits.maxTokens(), "at most --max-tokens " + limits.maxTokens() + " characters");
        CompletionRequest req = common(f, prompts, n, maxTokens, List.of(), echo, logprobs, false, limits);
        for (int p = 0; p < prompts.size(); p++) {
            checkCharacters(model, prompts.get(p), req.options(), at(prompts, p), "prompt");
        }
        return req;
    }

    private static String at(List<String> prompts, int p) {
        return prompts.size() > 1 ? "prompt[" + p + "]" : "prompt";
    }

    /**
     * Reads a chat completions body.
     *
     * @param body the JSON body
     * @param limits the server's limits (and its chat template)
     * @param model the loaded model
     * @return the request: one prompt, the rendered messages
     * @throws ApiError 400 (wrong type or value, a field it cannot honour), 404 (another model), 413 (too long)
     */
    static CompletionRequest parseChat(JsonObject body, ServerOptions limits, CharLstmModel model) {
        ModelManifest manifest = model.manifest();
        Fields f = new Fields(body);
        model(f, limits);
        for (String field : new String[] {
            "tools", "functions", "audio", "prediction", "web_search_options", "reasoning_effort", "verbosity"
        }) {
            if (body.has(field)
                    && !body.get(field).isJsonNull()
                    && !(body.get(field).isJsonArray()
                            && body.getAsJsonArray(field).isEmpty())) {
                throw ApiError.unsupported(field, "this model writes plain text only");
            }
        }
        for (String field : new String[] {"tool_choice", "function_call"}) {
            JsonElement e = body.get(field);
            if (e != null
                    && !e.isJsonNull()
                    && !(e.isJsonPrimitive() && e.getAsString().equals("none"))) {
                throw ApiError.unsupported(field, "this model calls no tools");
            }
        }
        JsonObject format = f.object("response_format");
        if (format != null && !"text".equals(new Fields(format, "response_format.").string("type"))) {
            throw ApiError.unsupported(
                    "response_format", "only {\"type\": \"text\"}: this model writes plain text," + " not JSON");
        }
        if (body.has("modalities") && !body.get("modalities").isJsonNull()) {
            JsonElement m = body.get("modalities");
            if (!m.isJsonArray()
                    || m.getAsJsonArray().size() != 1
                    || !"text"
                            .equals(
                                    m.getAsJsonArray().get(0).isJsonPrimitive()
                                            ? m.getAsJsonArray().get(0).getAsString()
                                            : null)) {
                throw ApiError.unsupported("modalities", "only [\"text\"]");
            }
        }
        List<ChatTemplate.Message> messages = messages(body.get("messages"), manifest);
        String prompt =
                manifest.normalize(limits.chatTemplate().render(messages)).toString();
        if (prompt.isEmpty()) {
            throw ApiError.invalid(
                    "messages",
                    "invalid_value",
                    "the chat template makes an empty prompt of these" + " messages: nothing to continue from");
        }
        checkLength(prompt, "messages", "messages", limits);
        boolean logprobs = f.bool("logprobs", false);
        int top = f.integer("top_logprobs", 0, 0, MAX_TOP_LOGPROBS, "OpenAI's cap");
        if (body.has("top_logprobs") && !body.get("top_logprobs").isJsonNull() && !logprobs) {
            throw ApiError.invalid("top_logprobs", "invalid_value", "top_logprobs needs \"logprobs\": true");
        }
        int n = f.integer("n", 1, 1, limits.maxRows(), null);
        Integer completionTokens = f.optionalInteger(
                "max_completion_tokens",
                0,
                limits.maxTokens(),
                "at most --max-tokens " + limits.maxTokens() + " characters");
        Integer tokens = f.optionalInteger(
                "max_tokens", 0, limits.maxTokens(), "at most --max-tokens " + limits.maxTokens() + " characters");
        // OpenAI's chat default is as long as the model allows: here, the server's cap
        int maxTokens = completionTokens != null ? completionTokens : tokens != null ? tokens : limits.maxTokens();
        CompletionRequest req = common(
                f,
                List.of(prompt),
                n,
                maxTokens,
                limits.chatTemplate().stop(),
                false,
                logprobs ? top : -1,
                true,
                limits);
        checkCharacters(model, prompt, req.options(), "messages", "messages");
        return req;
    }

    private static void model(Fields f, ServerOptions limits) {
        String model = f.string("model");
        if (model != null && !model.equals(limits.modelId())) {
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    "model",
                    "model_not_found",
                    "The model '" + model + "' does not exist: this server serves '" + limits.modelId() + "'");
        }
    }

    /** Checks a prompt's length in characters. */
    private static void checkLength(String prompt, String at, String param, ServerOptions limits) {
        int length = prompt.codePointCount(0, prompt.length());
        if (length > limits.maxPromptCharacters()) {
            throw new ApiError(
                    413,
                    "invalid_request_error",
                    param,
                    "prompt_too_long",
                    at + " has " + length
                            + " characters" + (param.equals("messages") ? " once written with the chat template" : "")
                            + "; this server takes at most " + limits.maxPromptCharacters() + " (--max-prompt-chars)");
        }
    }

    /**
     * Refuses a prompt the model would refuse, by asking the model ({@link CharLstmModel#checkPrompt}: the SDK's one
     * check, after its cleaning and normal form), and names the first unknown character and its position (0-based).
     * An empty prompt (a session's continuation) has nothing to check.
     */
    private static void checkCharacters(
            CharLstmModel model, String prompt, GenerationOptions options, String at, String param) {
        if (prompt.isEmpty()) {
            return;
        }
        try {
            model.checkPrompt(prompt, options);
        } catch (UnknownCharacterException e) {
            throw ApiError.invalid(
                    param,
                    "unknown_character",
                    at + ": " + Vocabulary.describe(e.codePoint())
                            + " at index " + e.index() + " (0-based, in characters)"
                            + (param.equals("messages") ? " of the prompt the chat template makes" : "")
                            + (e.cleanedPrompt() != null ? " once cleaned, \"" + e.cleanedPrompt() + "\"," : "")
                            + " is not in the model's vocabulary ("
                            + model.manifest().vocabulary().size()
                            + " characters; GET /v1/models lists them)");
        }
    }

    /** The fields both APIs share. */
    private static CompletionRequest common(
            Fields f,
            List<String> prompts,
            int n,
            int maxTokens,
            List<String> templateStops,
            boolean echo,
            int logprobs,
            boolean chat,
            ServerOptions limits) {
        double temperature = f.number("temperature", 1, 0, 2);
        double topP = f.number("top_p", 1, 0, 1);
        int topK = f.integer("top_k", 0, 0, Integer.MAX_VALUE, null);
        double repeatPenalty = f.number("repeat_penalty", 1, 1, 100);
        if ((long) n * prompts.size() > limits.maxRows()) {
            throw ApiError.invalid(
                    "n",
                    "invalid_value",
                    prompts.size() + " prompts × n " + n + " = " + n * prompts.size()
                            + " streams, more than this server generates at once (--max-rows "
                            + limits.maxRows() + ")");
        }
        List<String> stop = new ArrayList<>(stop(f.json.get("stop")));
        stop.addAll(templateStops);
        Long givenSeed = f.longValue("seed");
        long seed = givenSeed != null ? givenSeed : SEEDS.nextLong() >>> 1;
        boolean stream = f.bool("stream", false);
        JsonObject streamOptions = f.object("stream_options");
        if (streamOptions != null && !stream) {
            throw ApiError.invalid(
                    "stream_options", "invalid_value", "stream_options is only allowed with" + " \"stream\": true");
        }
        boolean includeUsage =
                streamOptions != null && new Fields(streamOptions, "stream_options.").bool("include_usage", false);
        // vLLM's: the stop sequence that ended a choice is part of its text (a session's state always holds it)
        boolean includeStop = f.bool("include_stop_str_in_output", false);
        f.string("user");
        JsonObject b = f.json;
        if (b.has("logit_bias")
                && !b.get("logit_bias").isJsonNull()
                && !(b.get("logit_bias").isJsonObject()
                        && b.getAsJsonObject("logit_bias").size() == 0)) {
            throw ApiError.unsupported("logit_bias", null);
        }
        for (String penalty : new String[] {"presence_penalty", "frequency_penalty"}) {
            if (f.number(penalty, 0, -2, 2) != 0) {
                throw ApiError.unsupported(
                        penalty, "use repeat_penalty (1 = off, above 1 discourages the last 64" + " characters)");
            }
        }
        GenerationOptions.Builder o = GenerationOptions.builder()
                .maxCharacters(maxTokens)
                .seed(seed)
                .stopSequences(stop)
                .topK(topK)
                .repetitionPenalty((float) repeatPenalty)
                .logprobs(logprobs >= 0)
                .topLogprobs(Math.max(0, logprobs))
                .emitStopSequence(includeStop);
        // Below float's resolution a temperature or top-p is 0: the most likely character, as OpenAI's 0 means.
        if ((float) temperature < 1e-6f || (float) topP < 1e-6f) {
            o.greedy(true);
        } else {
            o.temperature((float) temperature).topP((float) topP);
        }
        return new CompletionRequest(prompts, n, o.build(), seed, stream, includeUsage, echo, logprobs, chat);
    }

    /** Chat messages: roles system, developer, user, assistant; content a string or text parts. */
    private static List<ChatTemplate.Message> messages(JsonElement e, ModelManifest manifest) {
        if (e == null || e.isJsonNull()) {
            throw ApiError.invalid("messages", "missing", "messages is required: an array of {\"role\", \"content\"}");
        }
        if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw ApiError.invalid("messages", "invalid_value", "messages must be a non-empty array, got " + shown(e));
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        TextCleaning cleaning = manifest.textCleaning();
        JsonArray a = e.getAsJsonArray();
        for (int i = 0; i < a.size(); i++) {
            String at = "messages[" + i + "]";
            if (!a.get(i).isJsonObject()) {
                throw ApiError.invalid(at, "invalid_type", at + " must be an object, got " + shown(a.get(i)));
            }
            Fields m = new Fields(a.get(i).getAsJsonObject(), at + ".");
            String role = m.string("role");
            if (role == null) {
                throw ApiError.invalid(at + ".role", "missing", at + ".role is required");
            }
            if (!List.of("system", "developer", "user", "assistant").contains(role)) {
                throw ApiError.unsupported(
                        at + ".role",
                        "role \"" + role + "\" (this model takes system,"
                                + " developer, user and assistant messages; it calls no tools)");
            }
            for (String field : new String[] {"tool_calls", "function_call", "audio"}) {
                JsonElement x = m.json.get(field);
                if (x != null
                        && !x.isJsonNull()
                        && !(x.isJsonArray() && x.getAsJsonArray().isEmpty())) {
                    throw ApiError.unsupported(at + "." + field, "this model calls no tools and hears no audio");
                }
            }
            // cleaned as the training text was: a chat UI's line breaks and runs of spaces become what the model knows
            out.add(new ChatTemplate.Message(role, cleaning.clean(content(m.json.get("content"), at, role))));
        }
        return out;
    }

    private static String content(JsonElement c, String at, String role) {
        if (c == null || c.isJsonNull()) {
            if (role.equals("assistant")) {
                return "";
            }
            throw ApiError.invalid(at + ".content", "missing", at + ".content is required");
        }
        if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
            return c.getAsString();
        }
        if (!c.isJsonArray()) {
            throw ApiError.invalid(
                    at + ".content",
                    "invalid_type",
                    at + ".content must be a string or an array of" + " text parts, got " + shown(c));
        }
        StringBuilder b = new StringBuilder();
        JsonArray parts = c.getAsJsonArray();
        for (int i = 0; i < parts.size(); i++) {
            String pat = at + ".content[" + i + "]";
            if (!parts.get(i).isJsonObject()) {
                throw ApiError.invalid(pat, "invalid_type", pat + " must be an object, got " + shown(parts.get(i)));
            }
            Fields p = new Fields(parts.get(i).getAsJsonObject(), pat + ".");
            String type = p.string("type");
            if (!"text".equals(type)) {
                throw ApiError.unsupported(
                        pat + ".type",
                        "content parts of type \"" + type + "\" (this model reads" + " text parts only)");
            }
            String text = p.string("text");
            if (text == null) {
                throw ApiError.invalid(pat + ".text", "missing", pat + ".text is required");
            }
            b.append(text);
        }
        return b.toString();
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
                    throw ApiError.invalid(
                            "prompt",
                            "invalid_type",
                            "prompt[" + i + "] must be a string, got " + shown(x)
                                    + " (token arrays are not supported: this model reads characters)");
                }
                prompts.add(x.getAsString());
            }
            if (prompts.isEmpty()) {
                throw ApiError.invalid("prompt", "invalid_value", "prompt is an empty array");
            }
        } else {
            throw ApiError.invalid(
                    "prompt",
                    "invalid_type",
                    "prompt must be a string" + (session ? "" : " or an array" + " of strings") + ", got " + shown(e));
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isEmpty() && !session) {
                throw ApiError.invalid(
                        "prompt",
                        "invalid_value",
                        (prompts.size() > 1 ? "prompt[" + i + "]" : "prompt")
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
            throw ApiError.invalid(
                    "stop", "invalid_type", "stop must be a string or an array of up to 4 strings, got " + shown(e));
        }
        if (stop.size() > 4) {
            throw ApiError.invalid("stop", "invalid_value", "stop holds " + stop.size() + " sequences; at most 4");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw ApiError.invalid("stop", "invalid_value", "stop sequences must not be empty");
        }
        return stop;
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

        private <T> T read(Supplier<T> r) {
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
                throw ApiError.invalid(
                        prefix + key,
                        "invalid_value",
                        prefix + key + " must be between " + plain(min) + " and " + plain(max) + ", got "
                                + shown(json.get(key)));
            }
            return v;
        }

        Long longValue(String key) {
            return read(() -> fields.integer(key));
        }

        int integer(String key, int otherwise, int min, int max, String maxMeaning) {
            Integer v = optionalInteger(key, min, max, maxMeaning);
            return v == null ? otherwise : v;
        }

        Integer optionalInteger(String key, int min, int max, String maxMeaning) {
            Long v = longValue(key);
            if (v == null) {
                return null;
            }
            if (v < min || v > max) {
                throw ApiError.invalid(
                        prefix + key,
                        "invalid_value",
                        prefix + key + " must be "
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
