package dev.halb.discovery.zookeeper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reading foreign node bodies at the edge: size-capped, parsed as a tree (no classes
 * named by the data are ever loaded), every problem a {@link Bad} whose message names the value
 * and what was expected.
 */
final class NodeJson {

    /** Larger bodies are rejected unread: halb's nodes are a few hundred bytes. */
    static final int MAX_BYTES = 64 * 1024;

    private static final int MAX_SHOWN = 80;

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NodeJson() {
    }

    /** A value that cannot be read; its message is the reason. No stack trace: bad input is not a bug. */
    static final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    /** The body as one JSON object: not empty, at most {@link #MAX_BYTES}, JSON, an object. */
    static JsonNode readObject(byte[] data, String expected) throws Bad {
        if (data == null || data.length == 0) {
            throw new Bad("empty body (expected: " + expected + " as a JSON object)");
        }
        if (data.length > MAX_BYTES) {
            throw new Bad("body of " + data.length + " bytes (expected: at most " + MAX_BYTES + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new Bad("not JSON" + where + ": " + shorten(e.getOriginalMessage()) + " (expected: " + expected
                    + " as a JSON object)");
        } catch (IOException e) {
            throw new Bad("unreadable: " + shorten(String.valueOf(e.getMessage())));
        }
        if (root == null || root.isMissingNode()) {
            throw new Bad("blank body (expected: " + expected + " as a JSON object)");
        }
        if (!root.isObject()) {
            throw new Bad("JSON " + kind(root) + " " + show(root) + " (expected: " + expected + " as a JSON object)");
        }
        return root;
    }

    /** A scalar as text; "" when missing or null; an object or array is {@link Bad}. */
    static String text(JsonNode parent, String key, String path) throws Bad {
        JsonNode node = parent.get(key);
        if (isAbsent(node)) {
            return "";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw new Bad(path + ": " + show(node) + " (expected: a string)");
    }

    /** An integral number, or digits written as text; {@code null} for anything else. */
    static Long integral(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? node.longValue() : null;
        }
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : null;
        }
        if (node.isTextual()) {
            String s = node.textValue().strip();
            if (!s.isEmpty() && s.length() <= 15 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Long.parseLong(s);
            }
        }
        return null;
    }

    static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    /** A value as it appears in JSON, cut short so that a huge value cannot flood the log. */
    static String show(JsonNode node) {
        return node == null ? "missing" : shorten(node.toString());
    }

    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_SHOWN ? oneLine : oneLine.substring(0, MAX_SHOWN) + "...";
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> "value";
        };
    }
}
