package dev.halb.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Reads {@code halb.yaml}, and the JSON of ZooKeeper VIP nodes, into the configuration records.
 *
 * <p>The text is read into a tree of text scalars with {@code ${ENV}} substituted
 * ({@link SourceTree}), then bound onto the records by Jackson ({@link Binder}). The records are
 * the schema: their components are the keys, their compact constructors check the values, and
 * their {@code withDefaults} factories hold the defaults. Every error is a {@link ConfigException}
 * naming the key path and the value; the first one found is reported.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConfigLoader {

    /** The zone of a replica whose {@code replica.zone} is empty. */
    private static final String ZONE_ENV = "HALB_ZONE";

    // EMPTY_STRING_AS_NULL: "key:" with nothing after it is YAML null, read as "use the default";
    // a quoted "" stays an empty string.
    private static final YAMLFactory YAML =
            YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Map<String, String> env;

    /**
     * @param env the environment {@code ${VAR}} references and {@code HALB_ZONE} are resolved in;
     *            tests pass their own map
     */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** A loader that resolves {@code ${VAR}} in this process's environment. */
    public static ConfigLoader withSystemEnv() {
        return new ConfigLoader(System.getenv());
    }

    /**
     * Reads a whole configuration file.
     *
     * @throws ConfigException naming the file when it cannot be read, else as {@link #parse}
     */
    public HalbConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw unreadable(file, "no such file", e);
        } catch (AccessDeniedException e) {
            throw unreadable(file, "permission denied", e);
        } catch (CharacterCodingException e) {
            throw unreadable(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw unreadable(file, Files.isDirectory(file) ? "a directory" : "cannot be read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Reads a whole configuration from YAML text. An empty document is all defaults with no VIPs.
     *
     * @param sourceName names the text in whole-file errors (a file name, or e.g. "stdin")
     * @throws ConfigException naming the key path and value of the first problem found; a
     *                         whole-file problem has the path "" and a message that starts with
     *                         {@code sourceName}
     */
    public HalbConfig parse(String yaml, String sourceName) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        SourceTree tree = SourceTree.read(parser(YAML, yaml), yaml, "", sourceName, "YAML", env);
        JsonNode root = tree.root() == null || tree.root().isNull()
                ? JsonNodeFactory.instance.objectNode() : tree.root();
        HalbConfig config = Binder.bind(tree, root, HalbConfig.class, "");
        String zone = env.getOrDefault(ZONE_ENV, "").strip();
        if (config.replica().zone().isEmpty() && !zone.isEmpty()) {
            config = config.withReplica(config.replica().withZone(zone));
        }
        return config;
    }

    /** As {@link #parseVip(String, String, String)} for JSON that must name the VIP itself. */
    public VipConfig parseVip(String json, String pathPrefix) throws ConfigException {
        return parseVip(json, pathPrefix, null);
    }

    /**
     * Reads one VIP from JSON with the same fields as a {@code vips} entry in YAML, as stored in a
     * ZooKeeper node {@code /halb/vips/<name>}.
     *
     * <p>{@code ${ENV}} references are not substituted here: the node is written by whoever may
     * write to ZooKeeper, and substitution would let them read this replica's environment
     * (secrets included) back through the admin API.
     *
     * @param pathPrefix  prefixes the key paths in errors, e.g. {@code vips.web}
     * @param defaultName the VIP's name when the JSON has none (the node's name); when both are
     *                    given they must be equal; {@code null} = the JSON must have a name
     * @throws ConfigException naming the key path and value of the first problem found
     */
    public VipConfig parseVip(String json, String pathPrefix, String defaultName) throws ConfigException {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        String sourceName = pathPrefix.isEmpty() ? "vip" : pathPrefix;
        SourceTree tree = SourceTree.read(parser(JSON, json), json, pathPrefix, sourceName, "JSON", null);
        if (tree.root() == null) {
            throw new ConfigException(pathPrefix, "", sourceName + ": empty (expected: a JSON object with keys "
                    + Binder.keys(VipConfig.class) + ")");
        }
        if (defaultName != null) {
            tree.putIfAbsent(pathPrefix, "name", defaultName);
        }
        VipConfig vip = Binder.bind(tree, tree.root(), VipConfig.class, pathPrefix);
        if (defaultName != null && !vip.name().equals(defaultName)) {
            String namePath = SourceTree.child(pathPrefix, "name");
            throw new ConfigException(namePath, vip.name(), namePath + ": " + SourceTree.quote(vip.name())
                    + " (expected: " + SourceTree.quote(defaultName) + ", the name the VIP is stored under)");
        }
        return vip;
    }

    private static JsonParser parser(JsonFactory factory, String text) {
        try {
            return factory.createParser(text);
        } catch (IOException e) {
            // Creating a parser over a String reads nothing yet.
            throw new IllegalStateException(e);
        }
    }

    private static ConfigException unreadable(Path file, String problem, IOException cause) {
        return new ConfigException("", file.toString(),
                file + ": " + problem + " (expected: a readable YAML file)", cause);
    }
}
