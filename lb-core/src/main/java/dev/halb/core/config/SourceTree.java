package dev.halb.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * One YAML or JSON document as a tree whose scalars are all text, {@code ${ENV}} references
 * substituted, with each node findable by its key path ({@code vips[0].backends[1].port}).
 *
 * <p>Scalars stay text until the records are bound, after substitution: that is what makes
 * {@code port: ${PORT:-8080}} a number, and keeps {@code proxyProtocol: off} the word "off" (the
 * YAML 1.1 parser underneath would make it the boolean false). The parser's own tree cannot do
 * either, nor name the path of a duplicate key, nor notice an alias, which its streaming parser
 * hands over as if it were the alias's name.
 */
final class SourceTree {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String sourceName;
    private final Map<String, String> env;
    private final Map<String, JsonNode> nodes = new HashMap<>();
    /** The text as written, of each scalar that substitution or stripping changed. */
    private final Map<String, String> written = new HashMap<>();
    private ConfigException firstSubstitutionError;
    private JsonNode root;

    private SourceTree(String sourceName, Map<String, String> env) {
        this.sourceName = sourceName;
        this.env = env;
    }

    /**
     * Reads one document; an empty one has a {@code null} root.
     *
     * @param env where {@code ${VAR}} is looked up; {@code null} = no substitution
     * @throws ConfigException for a syntax error, a second document, a duplicate key, an alias or a
     *                         reference that cannot be substituted
     */
    static SourceTree read(JsonParser parser, String text, String rootPath, String sourceName, String format,
                           Map<String, String> env) throws ConfigException {
        SourceTree tree = new SourceTree(sourceName, env);
        try (parser) {
            if (parser.nextToken() != null) {
                tree.root = tree.readValue(parser, rootPath);
                if (parser.nextToken() != null) {
                    throw new ConfigException(rootPath, null, sourceName + ": a second " + format
                            + " document at line " + parser.currentTokenLocation().getLineNr()
                            + " (expected: one document)");
                }
            }
        } catch (JsonProcessingException e) {
            throw syntaxError(rootPath, sourceName, format, e, text);
        } catch (IOException e) {
            // Reading from a String only fails through the parser; kept for the checked signature.
            throw new ConfigException(rootPath, null, sourceName + ": cannot be read: " + e.getMessage(), e);
        }
        if (tree.firstSubstitutionError != null) {
            throw tree.firstSubstitutionError;
        }
        return tree;
    }

    /** The document, or {@code null} when it is empty. */
    JsonNode root() {
        return root;
    }

    String sourceName() {
        return sourceName;
    }

    /** The node at a key path, or {@code null}. */
    JsonNode node(String path) {
        return nodes.get(path);
    }

    /** Sets {@code key} of the root map, when the root is a map without it. */
    void putIfAbsent(String rootPath, String key, String text) {
        if (root instanceof ObjectNode map && (map.get(key) == null || map.get(key).isNull())) {
            TextNode value = TextNode.valueOf(text);
            map.set(key, value);
            nodes.put(child(rootPath, key), value);
        }
    }

    /** A value as shown in messages: quoted, with the text as written when substitution changed it. */
    String shown(String path, String value) {
        String asWritten = written.get(path);
        return quote(value) + (asWritten == null ? "" : " (from " + quote(asWritten) + ")");
    }

    /** The node at {@code path} as shown in messages: "a map", "a list", "null" or its quoted text. */
    String shown(String path) {
        JsonNode node = nodes.get(path);
        if (node == null || node.isNull()) {
            return "null";
        }
        return node.isObject() ? "a map" : node.isArray() ? "a list" : shown(path, node.textValue());
    }

    /** The node at {@code path} as the value of a {@link ConfigException}: text, JSON for a map or list, or null. */
    String value(String path) {
        JsonNode node = nodes.get(path);
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : node.toString();
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** A value as shown in messages: quoted, on one line, and short. */
    static String quote(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return "'" + (oneLine.length() > 120 ? oneLine.substring(0, 117) + "..." : oneLine) + "'";
    }

    // ---- reading ------------------------------------------------------------------------------

    private JsonNode readValue(JsonParser parser, String path) throws IOException, ConfigException {
        JsonNode node = readNode(parser, path);
        nodes.put(path, node);
        return node;
    }

    private JsonNode readNode(JsonParser parser, String path) throws IOException, ConfigException {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            String alias = "*" + parser.getText();
            throw new ConfigException(path, alias, path + ": alias " + quote(alias)
                    + " (expected: a value written out; YAML anchors and aliases are not supported)");
        }
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            ObjectNode map = NODES.objectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                String keyPath = child(path, key);
                if (map.has(key)) {
                    throw new ConfigException(keyPath, null, keyPath + ": duplicate key (expected: each key once, "
                            + "the second is at line " + parser.currentTokenLocation().getLineNr() + ")");
                }
                parser.nextToken();
                map.set(key, readValue(parser, keyPath));
            }
            return map;
        }
        if (token == JsonToken.START_ARRAY) {
            ArrayNode list = NODES.arrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                list.add(readValue(parser, path + "[" + list.size() + "]"));
            }
            return list;
        }
        if (token == JsonToken.VALUE_NULL) {
            return NullNode.getInstance();
        }
        // Numbers and booleans too: their source text is converted when bound, after substitution.
        String asWritten = parser.getText();
        String text = asWritten;
        if (env != null) {
            try {
                text = substitute(asWritten, path);
            } catch (ConfigException e) {
                // Reported once the whole document has been read, so that a syntax error comes first.
                firstSubstitutionError = firstSubstitutionError == null ? e : firstSubstitutionError;
            }
        }
        text = text.strip();
        if (!text.equals(asWritten)) {
            written.put(path, asWritten);
        }
        return TextNode.valueOf(text);
    }

    /**
     * Replaces {@code ${NAME}} and {@code ${NAME:-default}} (default also when NAME is set but
     * empty, as in a POSIX shell); <code>$${</code> is a literal <code>${</code>. The result is not scanned
     * again, so a variable's value is never itself substituted.
     */
    private String substitute(String raw, String path) throws ConfigException {
        if (raw.indexOf('$') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (raw.startsWith("${", i)) {
                int end = raw.indexOf('}', i + 2);
                if (end < 0) {
                    throw badReference(path, raw, "a '}' closing the '${' at character " + (i + 1)
                            + "; write $${ for a literal ${");
                }
                String reference = raw.substring(i + 2, end);
                int separator = reference.indexOf(":-");
                String name = separator < 0 ? reference : reference.substring(0, separator);
                if (!ENV_NAME.matcher(name).matches()) {
                    throw badReference(path, raw, "${NAME} or ${NAME:-default} with NAME of letters, digits and "
                            + "'_'; write $${ for a literal ${");
                }
                String value = env.get(name);
                if (value == null || (value.isEmpty() && separator >= 0)) {
                    if (separator < 0) {
                        throw badReference(path, raw, "environment variable " + name
                                + " to be set, or a default as in ${" + name + ":-value}");
                    }
                    value = reference.substring(separator + 2);
                }
                out.append(value);
                i = end + 1;
            } else {
                out.append(raw.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private static ConfigException badReference(String path, String raw, String expected) {
        return new ConfigException(path, raw, path + ": " + quote(raw) + " (expected: " + expected + ")");
    }

    /** A YAML or JSON syntax error as one line with its position, without the parser's snippet. */
    private static ConfigException syntaxError(String path, String sourceName, String format,
                                               JsonProcessingException e, String text) {
        String problem;
        String position = "";
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            Mark mark = marked.getProblemMark();
            position = position(mark);
            problem = marked.getProblem();
            if (marked.getContext() != null) {
                problem += " (" + marked.getContext()
                        + (marked.getContextMark() == null ? "" : " started " + position(marked.getContextMark()))
                        + ")";
            }
            // The likeliest cause of this one: an unquoted ${VAR} in {...} or [...], where '{' and '}'
            // are YAML syntax. Block style needs no quotes, which is why it works elsewhere.
            List<String> lines = text.lines().toList();
            if (problem.contains("got {") && mark.getLine() < lines.size()
                    && lines.get(mark.getLine()).contains("${")) {
                problem += "; inside {...} or [...] a value with ${...} must be quoted";
            }
        } else {
            JsonLocation at = e.getLocation();
            if (at != null && at.getLineNr() > 0) {
                position = "at line " + at.getLineNr() + ", column " + at.getColumnNr();
            }
            problem = e.getOriginalMessage();
            if (problem != null && problem.startsWith("Expected a field name")) {
                // Jackson's wording ends in a dump of a SnakeYAML event object.
                problem = "a key must be a plain value, not a list or a map";
            }
        }
        problem = problem == null ? "unknown error" : problem.strip().replaceAll("\\s*\\n\\s*", " ");
        return new ConfigException(path, null, sourceName + ": invalid " + format
                + (position.isEmpty() ? "" : " " + position) + ": " + problem, e);
    }

    private static String position(Mark mark) {
        return "at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }
}
