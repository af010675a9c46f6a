package dev.charlstm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.charlstm.runtime.Vocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@code /v1/chat/completions} turns messages into the prompt a text model continues (the model was never
 * trained on chats): each message is written with its role's format, where {@code {content}} stands for its text,
 * the formats are joined in order, and the generation prompt is appended; the model's continuation is the
 * assistant's answer, ended by the template's stop sequences (besides the request's own) or {@code max_tokens}.
 *
 * <p>The default uses only characters a model trained on ordinary prose knows, with no line breaks:
 * <pre>
 * system / developer   "{content} "
 * user                 "User: {content} "
 * assistant            "Assistant: {content} "
 * generation prompt    "Assistant:"
 * stop                 ["User:"]
 * </pre>
 * so {@code [system "A whaling tale.", user "Who is Ahab?"]} becomes {@code "A whaling tale. User: Who is Ahab?
 * Assistant:"}. A template is written as JSON with the keys {@code system}, {@code user}, {@code assistant},
 * {@code generation} and {@code stop} (a missing key keeps the default's), e.g. {@code charlstm serve
 * --chat-template '{"user": "\"{content}\" said Ishmael. ", "assistant": "\"{content}\" said Queequeg. ",
 * "generation": "\"", "stop": ["\""]}'}. Immutable and thread-safe.
 */
public final class ChatTemplate {

    /** The default: "User: ... Assistant:" on one line. */
    public static final ChatTemplate DEFAULT =
            new ChatTemplate("{content} ", "User: {content} ", "Assistant: {content} ", "Assistant:", List.of("User:"));

    private static final String CONTENT = "{content}";
    private static final Set<String> KEYS = Set.of("system", "user", "assistant", "generation", "stop");

    private final String system;
    private final String user;
    private final String assistant;
    private final String generation;
    private final List<String> stop;

    private ChatTemplate(String system, String user, String assistant, String generation, List<String> stop) {
        this.system = role("system", system);
        this.user = role("user", user);
        this.assistant = role("assistant", assistant);
        if (generation.contains(CONTENT)) {
            throw new IllegalArgumentException(
                    "chat template: \"generation\" is what comes before the answer and" + " has no {content}");
        }
        this.generation = generation;
        this.stop = List.copyOf(stop);
        if (this.stop.size() > 4 || this.stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("chat template: \"stop\" holds at most 4 sequences, none empty");
        }
    }

    private static String role(String key, String format) {
        int at = format.indexOf(CONTENT);
        if (at < 0 || format.indexOf(CONTENT, at + 1) >= 0) {
            throw new IllegalArgumentException(
                    "chat template: \"" + key + "\" must hold {content} exactly once, got \"" + format + "\"");
        }
        return format;
    }

    /**
     * Reads a template written as JSON (see the class comment).
     *
     * @param json the template
     * @return the template
     * @throws IllegalArgumentException naming the key at fault, an unknown key, or the JSON error
     */
    public static ChatTemplate parse(String json) {
        JsonElement e;
        try {
            e = JsonParser.parseString(json);
        } catch (RuntimeException x) {
            throw new IllegalArgumentException("chat template: not valid JSON (" + x.getMessage() + ")");
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("chat template: must be a JSON object with the keys " + KEYS);
        }
        JsonObject o = e.getAsJsonObject();
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("chat template: unknown key \"" + key + "\" (known: system, user,"
                        + " assistant, generation, stop)");
            }
        }
        List<String> stop = DEFAULT.stop;
        if (o.has("stop")) {
            stop = new ArrayList<>();
            if (!o.get("stop").isJsonArray()) {
                throw new IllegalArgumentException("chat template: \"stop\" must be an array of strings");
            }
            for (JsonElement s : o.getAsJsonArray("stop")) {
                stop.add(string(s, "stop"));
            }
        }
        return new ChatTemplate(
                text(o, "system", DEFAULT.system),
                text(o, "user", DEFAULT.user),
                text(o, "assistant", DEFAULT.assistant),
                text(o, "generation", DEFAULT.generation),
                stop);
    }

    private static String text(JsonObject o, String key, String otherwise) {
        return o.has(key) ? string(o.get(key), key) : otherwise;
    }

    private static String string(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("chat template: \"" + key + "\" must hold strings, got " + e);
        }
        return e.getAsString();
    }

    /**
     * Checks that the template's own characters are in a model's vocabulary (messages are checked per request).
     *
     * @param vocabulary the model's
     * @throws IllegalArgumentException naming the key and the character
     */
    public void check(Vocabulary vocabulary) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("system", system.replace(CONTENT, ""));
        parts.put("user", user.replace(CONTENT, ""));
        parts.put("assistant", assistant.replace(CONTENT, ""));
        parts.put("generation", generation);
        for (int i = 0; i < stop.size(); i++) {
            parts.put("stop[" + i + "]", stop.get(i));
        }
        for (Map.Entry<String, String> p : parts.entrySet()) {
            String s = p.getValue();
            for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
                if (!vocabulary.contains(s.codePointAt(i))) {
                    throw new IllegalArgumentException("the chat template's \"" + p.getKey() + "\" holds "
                            + Vocabulary.describe(s.codePointAt(i)) + ", which the model's vocabulary lacks: give a"
                            + " template in characters it knows (--chat-template)");
                }
            }
        }
    }

    /** One message: a role (system, developer, user or assistant) and its text. */
    record Message(String role, String content) {}

    /** @return the prompt: each message in its role's format, then the generation prompt */
    String render(List<Message> messages) {
        StringBuilder b = new StringBuilder();
        for (Message m : messages) {
            String format = switch (m.role()) {
                case "system", "developer" -> system;
                case "user" -> user;
                case "assistant" -> assistant;
                default -> throw new IllegalArgumentException("role " + m.role());
            };
            b.append(format.replace(CONTENT, m.content()));
        }
        return b.append(generation).toString();
    }

    /** @return stop sequences every chat completion has, besides the request's */
    List<String> stop() {
        return stop;
    }

    /** @return the template as JSON (what {@link #parse} reads) */
    @Override
    public String toString() {
        JsonObject o = new JsonObject();
        o.addProperty("system", system);
        o.addProperty("user", user);
        o.addProperty("assistant", assistant);
        o.addProperty("generation", generation);
        JsonArray s = new JsonArray();
        stop.forEach(s::add);
        o.add("stop", s);
        return o.toString();
    }
}
