package dev.charlstm.runtime.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, explicit access to one JSON object of a file format (the package manifest, the checkpoint's metadata):
 * every field is read by name, never by reflection over Java fields, so a Java refactoring cannot change a format.
 * A field that is absent or JSON null reads as null; a field of the wrong type fails with an
 * {@link FieldException} (an {@link IllegalArgumentException}) that names its path, e.g. {@code a field has the wrong
 * type: model.layers must be an integer, got "two"}.
 *
 * <p>Also converts between JSON trees and plain Java values ({@link Long} for integers, {@link Double} for other
 * numbers, {@link String}, {@link Boolean}, {@link Map} for objects), so integers stay integers both ways.
 *
 * <p>Immutable view over a mutable tree; not thread-safe if the tree is changed.
 */
public final class JsonFields {

    private final JsonObject object;
    private final String path;

    private JsonFields(JsonObject object, String path) {
        this.object = object;
        this.path = path;
    }

    /**
     * Reads a JSON document strictly (RFC 8259: no comments, no bare words, nothing after the value), the one way
     * charlstm reads its files and requests.
     *
     * @param text the document
     * @return its value (JSON null for an empty or blank document)
     * @throws IllegalArgumentException whose message is one line saying where the JSON is broken
     */
    public static JsonElement parse(String text) {
        if (text.isBlank()) {
            return JsonNull.INSTANCE;
        }
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("more follows the JSON value at " + r.getPath());
            }
            return e;
        } catch (JsonParseException | IOException | IllegalStateException | StackOverflowError e) {
            throw new IllegalArgumentException(oneLine(e), e);
        }
    }

    /**
     * @param e a failure
     * @return its message on one line, at most 200 characters, without Java class names or Gson's API advice
     */
    public static String oneLine(Throwable e) {
        String m = e instanceof StackOverflowError ? "nested too deeply" : String.valueOf(e.getMessage());
        m = m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m;
        m = m.replaceFirst("^([a-z]+\\.)+[A-Za-z$]+(Exception|Error): ", "")
                .replaceFirst(
                        "^Use JsonReader\\.setStrictness\\(Strictness\\.LENIENT\\) to accept malformed JSON ",
                        "malformed JSON ");
        return m.length() > 200 ? m.substring(0, 200) + "..." : m.strip();
    }

    /**
     *
     * @param object the document's top-level object
     *
     * @return its fields
     *
     */
    public static JsonFields root(JsonObject object) {
        return new JsonFields(object, "");
    }

    /** @return the JSON object */
    public JsonObject json() {
        return object;
    }

    /**
     *
     * @param key a field
     *
     * @return whether it is present and not null
     *
     */
    public boolean has(String key) {
        JsonElement e = object.get(key);
        return e != null && !e.isJsonNull();
    }

    private JsonElement get(String key) {
        JsonElement e = object.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    private FieldException wrongType(String key, String kind, JsonElement value) {
        String shown = value.toString();
        return new FieldException(
                path + key,
                path + key + " must be " + kind + ", got "
                        + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
    }

    /** A field of the wrong type; {@link #getMessage()} starts "a field has the wrong type: ". */
    public static final class FieldException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;
        private final String problem;

        FieldException(String field, String problem) {
            super("a field has the wrong type: " + problem);
            this.field = field;
            this.problem = problem;
        }

        /** @return the field's path, e.g. {@code stream_options.include_usage} */
        public String field() {
            return field;
        }

        /** @return what is wrong, e.g. {@code max_tokens must be an integer, got "ten"} */
        public String problem() {
            return problem;
        }
    }

    /**
     * @param key a field
     * @return the field as an object's fields
     * @throws IllegalArgumentException if it is missing or not an object
     */
    public JsonFields object(String key) {
        JsonFields f = objectOrNull(key);
        if (f == null) {
            throw new IllegalArgumentException(path + key + " is missing");
        }
        return f;
    }

    /**
     *
     * @param key a field
     *
     * @return the field as an object's fields, or null when absent @throws IllegalArgumentException if not an object
     *
     */
    public JsonFields objectOrNull(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw wrongType(key, "an object", e);
        }
        return new JsonFields(e.getAsJsonObject(), path + key + ".");
    }

    /**
     *
     * @param key a field
     *
     * @return its value, or null @throws IllegalArgumentException if not a string
     *
     */
    public String string(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrongType(key, "a string", e);
        }
        return e.getAsString();
    }

    /**
     *
     * @param key a field
     *
     * @return its value, or null @throws IllegalArgumentException if not a finite number
     *
     */
    public Double number(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        double v = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? parseDouble(e) : Double.NaN;
        if (!Double.isFinite(v)) {
            throw wrongType(key, "a finite number", e);
        }
        return v;
    }

    private static double parseDouble(JsonElement e) {
        try {
            return Double.parseDouble(e.getAsString());
        } catch (NumberFormatException x) {
            return Double.NaN;
        }
    }

    /**
     *
     * @param key a field
     *
     * @return its value @throws IllegalArgumentException if missing or not a finite number
     *
     */
    public double requiredNumber(String key) {
        Double v = number(key);
        if (v == null) {
            throw new IllegalArgumentException(path + key + " is missing");
        }
        return v;
    }

    /**
     * @param key a field
     * @return its value, or null
     * @throws IllegalArgumentException if not an integer (a whole number such as {@code 128.0} counts: version 1
     *     manifests wrote integers that way)
     */
    public Long integer(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        Long v = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? wholeNumber(e) : null;
        if (v == null) {
            throw wrongType(key, "an integer", e);
        }
        return v;
    }

    /**
     *
     * @param key a field
     *
     * @return its value @throws IllegalArgumentException if missing or not an integer
     *
     */
    public long requiredInteger(String key) {
        Long v = integer(key);
        if (v == null) {
            throw new IllegalArgumentException(path + key + " is missing");
        }
        return v;
    }

    /**
     *
     * @param key a field
     *
     * @return its value as an int, or null @throws IllegalArgumentException if not an int
     *
     */
    public Integer int32(String key) {
        Long v = integer(key);
        if (v != null && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
            throw wrongType(key, "an integer below 2^31", object.get(key));
        }
        return v == null ? null : v.intValue();
    }

    /**
     *
     * @param key a field
     *
     * @return its value, or null @throws IllegalArgumentException if not a boolean
     *
     */
    public Boolean bool(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(key, "true or false", e);
        }
        return e.getAsBoolean();
    }

    /**
     *
     * @param key a field
     *
     * @return its values, or null @throws IllegalArgumentException if not an array of ints
     *
     */
    public int[] intArray(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw wrongType(key, "an array of integers", e);
        }
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            Long v = x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber() ? wholeNumber(x) : null;
            if (v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw wrongType(key + "[" + i + "]", "an integer", x);
            }
            out[i] = v.intValue();
        }
        return out;
    }

    /**
     *
     * @param key a field
     *
     * @return its values, or null @throws IllegalArgumentException if not an array of strings
     *
     */
    public List<String> stringList(String key) {
        JsonElement e = get(key);
        if (e == null) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw wrongType(key, "an array of strings", e);
        }
        List<String> out = new ArrayList<>();
        JsonArray a = e.getAsJsonArray();
        for (int i = 0; i < a.size(); i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw wrongType(key + "[" + i + "]", "a string", x);
            }
            out.add(x.getAsString());
        }
        return out;
    }

    /** @return this object as plain Java values (see the class comment) */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            m.put(e.getKey(), toJava(e.getValue()));
        }
        return m;
    }

    /** The number as a long if it is a whole number that fits (128.0 does; 128.5, 1e19 and 1e400 do not). */
    private static Long wholeNumber(JsonElement e) {
        String text = e.getAsString();
        if (text.length() > 40) {
            return null; // no long has more digits; and BigDecimal would work hard on a million of them
        }
        try {
            BigDecimal d = new BigDecimal(text);
            return d.stripTrailingZeros().scale() <= 0 ? d.longValueExact() : null;
        } catch (ArithmeticException | NumberFormatException x) {
            return null;
        }
    }

    /**
     * @param e a JSON value
     * @return it as plain Java: null, {@link Long} (a number written without fraction or exponent), {@link Double},
     *     {@link String}, {@link Boolean}, {@code List<Object>} or {@code Map<String, Object>}
     */
    public static Object toJava(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            return new JsonFields(e.getAsJsonObject(), "").toMap();
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> l.add(toJava(x)));
            return l;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        String text = p.getAsString();
        boolean integral = text.chars().allMatch(c -> c == '-' || Character.isDigit(c));
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooLong) {
                return parseDouble(p);
            }
        }
        return parseDouble(p);
    }

    /** The shortest decimal of a float or double, without exponent, with at least one decimal: 5.0, 0.0001. */
    private static BigDecimal decimal(String javaText) {
        BigDecimal d = new BigDecimal(javaText).stripTrailingZeros();
        return d.scale() < 1 ? d.setScale(1) : d;
    }

    /**
     * @param v a plain Java value as {@link #toJava} returns (Integer and Float are accepted too)
     * @return it as JSON: integers as integers, floats by their shortest decimal ({@code 0.005f} as {@code 0.005})
     * @throws IllegalArgumentException for any other type, or a number that is not finite
     */
    public static JsonElement toJson(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return new JsonPrimitive(((Number) v).longValue());
        }
        if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON has no " + v + ": only finite numbers can be written");
            }
            return new JsonPrimitive(decimal(v instanceof Float f ? Float.toString(f) : Double.toString(d)));
        }
        if (v instanceof String || v instanceof Boolean) {
            return v instanceof String s ? new JsonPrimitive(s) : new JsonPrimitive((Boolean) v);
        }
        if (v instanceof Map<?, ?> m) {
            JsonObject o = new JsonObject();
            m.forEach((k, x) -> o.add(String.valueOf(k), toJson(x)));
            return o;
        }
        if (v instanceof List<?> l) {
            JsonArray a = new JsonArray();
            l.forEach(x -> a.add(toJson(x)));
            return a;
        }
        throw new IllegalArgumentException("no JSON form for " + v.getClass().getSimpleName() + " " + v);
    }
}
