package dev.halb.core.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Binds a {@link SourceTree} onto the configuration records with Jackson, and turns what goes
 * wrong into a {@link ConfigException} an operator can act on: the key path from
 * {@link JsonMappingException#getPath()}, the value from the tree, and what was expected from the
 * records themselves (their components are the keys, their compact constructors the rules).
 * Jackson's own wording, class names included, never reaches the message.
 */
final class Binder {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");
    /** A decimal as people write one: 1.4, 2, .5, 1e0; never NaN, Infinity or hexadecimal. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // The records' @JsonCreator factories take their keys from their parameter names.
            .addModule(new ParameterNamesModule())
            .addModule(new SimpleModule("halb-scalars")
                    .addDeserializer(Integer.class, new FromText<>(Integer.class, Binder::intNumber))
                    .addDeserializer(Long.class, new FromText<>(Long.class, Binder::wholeNumber))
                    .addDeserializer(Double.class, new FromText<>(Double.class, Binder::decimal))
                    .addDeserializer(Boolean.class, new FromText<>(Boolean.class, Binder::trueOrFalse))
                    // Records, but written as one value: "0.0.0.0:8080", "10.0.0.0/8".
                    .addDeserializer(BindAddress.class, new FromText<>(BindAddress.class, BindAddress::parse))
                    .addDeserializer(Cidr.class, new FromText<>(Cidr.class, Cidr::parse)))
            // "vips: [~]" names the entry instead of failing inside List.copyOf.
            .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL)))
            .build();

    private final SourceTree tree;
    private final Class<?> rootType;
    private final String rootPath;

    private Binder(SourceTree tree, Class<?> rootType, String rootPath) {
        this.tree = tree;
        this.rootType = rootType;
        this.rootPath = rootPath;
    }

    /**
     * @param root     the tree to bind (the source tree's root, or an empty map for an empty document)
     * @param rootPath prefixes every key path, e.g. {@code vips.web}; "" for a whole file
     */
    static <T> T bind(SourceTree tree, JsonNode root, Class<T> type, String rootPath) throws ConfigException {
        Binder binder = new Binder(tree, type, rootPath);
        try {
            return binder.read(root, type);
        } catch (JsonMappingException e) {
            throw binder.translate(e, root);
        }
    }

    /** The keys of a record, in the order it declares them. */
    static String keys(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.joining(", "));
    }

    /**
     * The key of {@code record} nearest to a misspelt {@code key}, when it is near enough to be
     * what was meant: at most a third of its letters (one to three) inserted, deleted, changed or
     * swapped with a neighbour, ignoring case.
     */
    static java.util.Optional<String> closest(String key, Class<?> record) {
        if (record == null || !record.isRecord()) {
            return java.util.Optional.empty();
        }
        int limit = Math.max(1, Math.min(3, key.length() / 3));
        String best = null;
        int bestDistance = limit + 1;
        for (RecordComponent c : record.getRecordComponents()) {
            int d = editDistance(key.toLowerCase(java.util.Locale.ROOT), c.getName().toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = c.getName();
                bestDistance = d;
            }
        }
        return java.util.Optional.ofNullable(best);
    }

    /** Edits (insert, delete, change, swap of neighbours) that turn {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private <T> T read(JsonNode root, Class<T> type) throws JsonMappingException {
        try {
            return MAPPER.readerFor(type).readValue(MAPPER.treeAsTokens(root));
        } catch (JsonMappingException e) {
            throw e;
        } catch (IOException e) {
            // A tree in memory has no I/O and no syntax left to fail on.
            throw new IllegalStateException(e);
        }
    }

    private ConfigException translate(JsonMappingException e, JsonNode root) {
        String path = path(e.getPath());
        InvalidValueException invalid = cause(e, InvalidValueException.class);
        if (invalid != null) {
            String full = join(path, invalid.key());
            String shown = invalid.value() == null ? "missing" : tree.shown(full, invalid.value());
            return error(full, invalid.value(), shown + " (" + invalid.expectation(k -> join(path, k)) + ")", e);
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            Class<?> owner = unknown.getReferringClass();
            String hint = closest(String.valueOf(unknown.getPropertyName()), owner)
                    .map(k -> ", did you mean '" + k + "'?").orElse("");
            return error(path, null, "unknown key" + hint + " (expected one of: " + keys(owner) + ")", e);
        }
        IllegalArgumentException parse = cause(e, IllegalArgumentException.class);
        if (parse != null) {
            // BindAddress.parse, Cidr.parse and the enums' fromLabel say "'value' (expected: ...)".
            return error(path, tree.value(path), parse.getMessage(), e);
        }
        Type type = typeAt(e.getPath());
        JsonNode node = tree.node(path);
        if ((type == Integer.class || type == Long.class || type == Double.class) && node != null
                && node.isTextual()) {
            return notANumber(e, root, path, type);
        }
        return error(path, tree.value(path), tree.shown(path) + " (" + expected(type) + ")", e);
    }

    /**
     * A value that is not a whole number, reported with the range its record expects: the record
     * is asked by binding, in its place, a number below every range; when the record names this
     * key in its refusal, the message shows the text as written.
     */
    private ConfigException notANumber(JsonMappingException e, JsonNode root, String path, Type type) {
        JsonNode probe = root.deepCopy();
        replace(probe, e.getPath(), type == Integer.class ? IntNode.valueOf(Integer.MIN_VALUE)
                : type == Long.class ? LongNode.valueOf(Long.MIN_VALUE) : DoubleNode.valueOf(-Double.MAX_VALUE));
        try {
            read(probe, rootType);
        } catch (JsonMappingException refusal) {
            InvalidValueException invalid = cause(refusal, InvalidValueException.class);
            if (invalid == null || !join(path(refusal.getPath()), invalid.key()).equals(path)) {
                return translate(refusal, probe);
            }
            String expectation = invalid.expectation(k -> join(path(refusal.getPath()), k));
            return error(path, tree.value(path), tree.shown(path) + " (" + expectation + ")", e);
        }
        return error(path, tree.value(path),
                tree.shown(path) + (type == Double.class ? " (expected: a number)" : " (expected: an integer)"), e);
    }

    private ConfigException error(String path, String value, String problem, Exception cause) {
        String where = path.isEmpty() ? tree.sourceName() : path;
        return new ConfigException(path, value, where + ": " + problem, cause);
    }

    /** What a value of {@code type} looks like, for a value of the wrong shape. */
    private static String expected(Type type) {
        Class<?> raw = raw(type);
        if (raw == Boolean.class) {
            return "expected: true or false";
        }
        if (raw != null && raw.isRecord() && raw != BindAddress.class && raw != Cidr.class) {
            return "expected: a map with keys " + keys(raw);
        }
        if (raw == List.class) {
            Class<?> element = raw(((ParameterizedType) type).getActualTypeArguments()[0]);
            if (element == VipConfig.class) {
                return "expected: a list of VIPs, each a map with keys " + keys(VipConfig.class);
            }
            if (element == Cidr.class) {
                return "expected: a list of CIDRs, e.g. [10.0.0.0/8]";
            }
            return "expected: a list of maps with keys " + keys(element);
        }
        return "expected: a single value";
    }

    // ---- paths ----------------------------------------------------------------------------------

    private String path(List<JsonMappingException.Reference> references) {
        String path = rootPath;
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) {
                path = SourceTree.child(path, r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path = path + "[" + r.getIndex() + "]";
            }
        }
        return path;
    }

    private static String join(String path, String key) {
        return path.isEmpty() || key.startsWith("[") ? path + key : path + "." + key;
    }

    /** The declared type at a path, found through the records' components; {@code null} when unknown. */
    private Type typeAt(List<JsonMappingException.Reference> references) {
        Type type = rootType;
        for (JsonMappingException.Reference r : references) {
            Class<?> raw = raw(type);
            if (r.getFieldName() != null && raw != null && raw.isRecord()) {
                type = Arrays.stream(raw.getRecordComponents()).filter(c -> c.getName().equals(r.getFieldName()))
                        .map(Binder::boxed).findFirst().orElse(null);
            } else if (r.getIndex() >= 0 && type instanceof ParameterizedType list) {
                type = list.getActualTypeArguments()[0];
            } else if (r.getFieldName() != null || r.getIndex() >= 0) {
                return null;
            }
        }
        return type;
    }

    /** A component's type as its @JsonCreator factory takes it: an absent number or flag is null there. */
    private static Type boxed(RecordComponent component) {
        Type type = component.getGenericType();
        return type == int.class ? Integer.class : type == long.class ? Long.class
                : type == double.class ? Double.class : type == boolean.class ? Boolean.class : type;
    }

    private static Class<?> raw(Type type) {
        return type instanceof Class<?> c ? c : type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : null;
    }

    private static void replace(JsonNode root, List<JsonMappingException.Reference> references, JsonNode value) {
        JsonNode parent = null;
        JsonMappingException.Reference last = null;
        JsonNode node = root;
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() == null && r.getIndex() < 0) {
                continue;
            }
            parent = node;
            last = r;
            node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
        }
        if (parent instanceof ObjectNode map) {
            map.set(last.getFieldName(), value);
        } else if (parent instanceof ArrayNode list) {
            list.set(last.getIndex(), value);
        }
    }

    private static <X extends Throwable> X cause(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    // ---- scalars --------------------------------------------------------------------------------

    /** Whole numbers only: "1.5" or "1e3" for a count or a duration is a mistake worth reporting. */
    private static Long wholeNumber(String text) {
        try {
            return WHOLE_NUMBER.matcher(text).matches() ? Long.parseLong(text) : null;
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }

    private static Double decimal(String text) {
        return DECIMAL.matcher(text).matches() ? Double.valueOf(text) : null;
    }

    private static Integer intNumber(String text) {
        Long value = wholeNumber(text);
        return value == null || value != value.intValue() ? null : value.intValue();
    }

    /** Only true or false (any case): YAML 1.1's yes/no/on/off are too easy to write by accident. */
    private static Boolean trueOrFalse(String text) {
        return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false") ? Boolean.valueOf(text) : null;
    }

    /**
     * A value read from one scalar of the tree (or from the number a probe puts there). The parser
     * returns {@code null} for text that is not of its type, a type error; an IllegalArgumentException
     * from it names the value and what was expected.
     */
    private static final class FromText<T> extends StdScalarDeserializer<T> {

        private static final long serialVersionUID = 1L;

        private final Class<T> type;
        private final transient Function<String, T> parser;

        FromText(Class<T> type, Function<String, T> parser) {
            super(type);
            this.type = type;
            this.parser = parser;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT
                    && token != JsonToken.VALUE_NUMBER_FLOAT) {
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            }
            T value = parser.apply(p.getText());
            if (value == null) {
                throw ctxt.weirdStringException(p.getText(), type, "not a " + type.getSimpleName());
            }
            return value;
        }
    }
}
