package dev.halb.core.config;

import com.fasterxml.jackson.core.JsonFactory;
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
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.halb.discovery.Backend;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads {@code halb.yaml} and ZooKeeper VIP nodes (section 4) into the config
 * records.
 *
 * <p>Jackson reads the text into a tree of maps, lists and scalars, and the tree is then walked by
 * hand instead of being bound onto the records: only a hand walk knows the full key path of every
 * value, so that each error names the path, the value and what was expected. Every scalar is kept
 * as its source text and converted only after {@code ${ENV}} substitution, which is what makes
 * {@code port: ${PORT:-8080}} an int, and keeps {@code proxyProtocol: off} the word "off" (the
 * YAML 1.1 parser underneath would make it the boolean false).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConfigLoader {

    private static final List<String> ROOT_KEYS = List.of("replica", "discovery", "admin", "vips", "drain");
    private static final List<String> REPLICA_KEYS = List.of("id", "zone", "region");
    private static final List<String> DISCOVERY_KEYS = List.of("zookeeper");
    private static final List<String> ZOOKEEPER_KEYS =
            List.of("connect", "root", "sessionTimeoutMs", "connectionTimeoutMs", "auth");
    private static final List<String> ADMIN_KEYS = List.of("bind", "token");
    private static final List<String> VIP_KEYS = List.of("name", "bind", "service", "strategy", "zoneAffinity",
            "backends", "healthCheck", "outlierDetection", "connectTimeoutMs", "connectRetries", "idleTimeoutMs",
            "finTimeoutMs", "maxConnections", "proxyProtocol", "allowedBackendCidrs");
    private static final List<String> ZONE_AFFINITY_KEYS = List.of("enabled", "minBackends");
    private static final List<String> BACKEND_KEYS = List.of("address", "port", "zone", "region", "rack", "weight");
    private static final List<String> HEALTH_CHECK_KEYS = List.of("type", "path", "port", "intervalMs", "timeoutMs",
            "unhealthyThreshold", "healthyThreshold");
    private static final List<String> OUTLIER_KEYS =
            List.of("consecutiveFailures", "baseEjectionMs", "maxEjectionPercent");
    private static final List<String> DRAIN_KEYS = List.of("delayMs", "timeoutMs");

    /** The zone of a replica whose {@code replica.zone} is empty. */
    private static final String ZONE_ENV = "HALB_ZONE";

    /** The VIP defaults live in {@link VipConfig#of}; reading them from there keeps one source of truth. */
    private static final VipConfig VIP_DEFAULTS = VipConfig.of("defaults", new BindAddress("0.0.0.0", 0), List.of());

    private static final long MAX_IDLE_TIMEOUT_MS = Duration.ofDays(30).toMillis();
    private static final long MAX_DRAIN_MS = Duration.ofHours(1).toMillis();

    private static final Pattern VIP_NAME = Pattern.compile("[a-z0-9-]{1,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private static final String NAME_RULE = "expected: 1-63 characters of a-z, 0-9 and '-'";
    private static final String BIND_RULE = "expected: host:port, e.g. 0.0.0.0:8080";

    // EMPTY_STRING_AS_NULL: "key:" with nothing after it is YAML null, read as "use the default";
    // a quoted "" stays an empty string. Duplicate keys are found while building the tree rather
    // than with Jackson's STRICT_DUPLICATE_DETECTION, whose error cannot name the key's path.
    private static final YAMLFactory YAML =
            YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
     * @throws ConfigException naming the key path and value of the first problem found
     */
    public HalbConfig parse(String yaml, String sourceName) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        JsonNode root;
        try (JsonParser parser = YAML.createParser(yaml)) {
            root = readDocument(parser, "", sourceName, "YAML");
        } catch (JsonProcessingException e) {
            throw syntaxError("", sourceName, "YAML", e, yaml);
        } catch (IOException e) {
            // Reading from a String only fails through the parser; kept for the checked signature.
            throw new ConfigException("", null, sourceName + ": cannot be read: " + e.getMessage(), e);
        }
        return new Walker(sourceName, true).config(root);
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
        JsonNode root;
        try (JsonParser parser = JSON.createParser(json)) {
            root = readDocument(parser, pathPrefix, sourceName, "JSON");
        } catch (JsonProcessingException e) {
            throw syntaxError(pathPrefix, sourceName, "JSON", e, json);
        } catch (IOException e) {
            throw new ConfigException(pathPrefix, null, sourceName + ": cannot be read: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new ConfigException(pathPrefix, "", sourceName + ": empty (expected: a JSON object with keys "
                    + String.join(", ", VIP_KEYS) + ")");
        }
        return new Walker(sourceName, false).vip(root, pathPrefix, defaultName);
    }

    private static ConfigException unreadable(Path file, String problem, IOException cause) {
        return new ConfigException("", file.toString(),
                file + ": " + problem + " (expected: a readable YAML file)", cause);
    }

    // ---- reading text into a tree -------------------------------------------------------------

    /** One document as a tree whose scalars are all text nodes; {@code null} for an empty document. */
    private static JsonNode readDocument(JsonParser parser, String rootPath, String sourceName, String format)
            throws IOException, ConfigException {
        if (parser.nextToken() == null) {
            return null;
        }
        JsonNode root = readValue(parser, rootPath);
        if (parser.nextToken() != null) {
            JsonLocation at = parser.currentTokenLocation();
            throw new ConfigException(rootPath, null, sourceName + ": a second " + format + " document at line "
                    + at.getLineNr() + " (expected: one document)");
        }
        return root;
    }

    private static JsonNode readValue(JsonParser parser, String path) throws IOException, ConfigException {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            // Jackson's streaming YAML parser does not resolve aliases: it hands over the alias name
            // as if it were a string value, so '*defaults' would silently become "defaults".
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
        // Numbers and booleans too: their source text is converted later, after substitution.
        return TextNode.valueOf(parser.getText());
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
            if (problem.contains("got {") && lineOf(text, mark.getLine()).contains("${")) {
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
        String message = sourceName + ": invalid " + format + (position.isEmpty() ? "" : " " + position) + ": "
                + problem;
        return new ConfigException(path, null, message, e);
    }

    private static String lineOf(String text, int index) {
        List<String> lines = text.lines().toList();
        return index >= 0 && index < lines.size() ? lines.get(index) : "";
    }

    private static String position(Mark mark) {
        return "at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    // ---- small helpers --------------------------------------------------------------------------

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** A value as shown in messages: quoted, on one line, and short. */
    private static String quote(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return "'" + (oneLine.length() > 120 ? oneLine.substring(0, 117) + "..." : oneLine) + "'";
    }

    private static String expected(String what) {
        return "expected: " + what;
    }

    private static String oneOf(List<String> keys) {
        return "expected one of: " + String.join(", ", keys);
    }

    private static String range(long min, long max) {
        return expected("an integer " + min + "-" + max);
    }

    /** Not empty, no '/', no whitespace or control characters: usable as one ZooKeeper node name. */
    private static boolean isNodeName(String s) {
        return !s.isEmpty() && !s.equals(".") && !s.equals("..") && s.length() <= 255
                && s.chars().noneMatch(c -> c == '/' || Character.isWhitespace(c) || Character.isISOControl(c));
    }

    private static boolean hasSpaceOrControl(String s) {
        return s.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }

    /**
     * Whether two listeners would fight over a port. A wildcard host overlaps every host on its
     * port: the kernel refuses that bind, or with SO_REUSEPORT would silently split the traffic.
     */
    private static boolean overlaps(BindAddress a, BindAddress b) {
        if (a.port() == 0 || a.port() != b.port()) {
            return false;
        }
        return a.host().equalsIgnoreCase(b.host()) || isWildcard(a.host()) || isWildcard(b.host());
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /**
     * A scalar's text after {@code ${ENV}} substitution, with where it came from.
     *
     * @param raw  the text as written
     * @param text after substitution, stripped: the value that is converted and validated
     */
    private record Scalar(String path, String raw, String text) {

        /** The value in a message, and the text as written when substitution changed it. */
        String shown() {
            return quote(text) + (raw.equals(text) ? "" : " (from " + quote(raw) + ")");
        }
    }

    private record Listener(String path, BindAddress bind) {
    }

    // ---- walking the tree -----------------------------------------------------------------------

    /** Walks one tree, converting and validating as it goes; stops at the first problem. */
    private final class Walker {

        private final String sourceName;
        private final boolean substituteEnv;

        Walker(String sourceName, boolean substituteEnv) {
            this.sourceName = sourceName;
            this.substituteEnv = substituteEnv;
        }

        HalbConfig config(JsonNode node) throws ConfigException {
            ObjectNode root = map(node, "", ROOT_KEYS);
            ReplicaConfig replica = replica(root.get("replica"), "replica");
            DiscoveryConfig discovery = discovery(root.get("discovery"), "discovery");
            AdminConfig admin = admin(root.get("admin"), "admin");
            List<VipConfig> vips = vips(root, admin);
            DrainConfig drain = drain(root.get("drain"), "drain");
            return new HalbConfig(replica, discovery, admin, vips, drain);
        }

        private ReplicaConfig replica(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, REPLICA_KEYS);
            ReplicaConfig d = ReplicaConfig.DEFAULT;
            Scalar idScalar = scalar(m, path, "id");
            String id = idScalar == null ? d.id() : idScalar.text();
            if (!id.isEmpty() && !isNodeName(id)) {
                // The id names this replica's node under /halb/replicas.
                throw invalid(idScalar,
                        expected("\"\" or a ZooKeeper node name: no '/', spaces or control characters"));
            }
            String zone = string(m, path, "zone", d.zone());
            if (zone.isEmpty()) {
                String fromEnv = env.get(ZONE_ENV);
                zone = fromEnv == null ? "" : fromEnv.strip();
            }
            String region = string(m, path, "region", d.region());
            return new ReplicaConfig(id, zone, region);
        }

        private DiscoveryConfig discovery(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, DISCOVERY_KEYS);
            return new DiscoveryConfig(zookeeper(m.get("zookeeper"), child(path, "zookeeper")));
        }

        private ZooKeeperConfig zookeeper(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, ZOOKEEPER_KEYS);
            ZooKeeperConfig d = ZooKeeperConfig.DEFAULT;

            Scalar connectScalar = scalar(m, path, "connect");
            String connect = connectScalar == null ? d.connect() : connectScalar.text();
            if (!isConnectString(connect)) {
                throw invalid(connectScalar,
                        expected("host:port[,host:port...], '" + ZooKeeperConfig.EMBEDDED + "' or \"\""));
            }

            Scalar rootScalar = scalar(m, path, "root");
            String root = rootScalar == null ? d.root() : rootScalar.text();
            if (!root.startsWith("/") || root.endsWith("/") || root.contains("//") || hasSpaceOrControl(root)) {
                throw invalid(rootScalar, expected("a ZooKeeper path such as /halb: starting with '/', "
                        + "not ending with '/', no empty parts"));
            }

            int sessionTimeoutMs = integer(m, path, "sessionTimeoutMs", d.sessionTimeoutMs(), 1_000, 600_000);
            int connectionTimeoutMs =
                    integer(m, path, "connectionTimeoutMs", d.connectionTimeoutMs(), 100, 600_000);
            String auth = auth(m, path, d.auth());
            return new ZooKeeperConfig(connect, root, sessionTimeoutMs, connectionTimeoutMs, auth);
        }

        private boolean isConnectString(String connect) {
            if (connect.isEmpty() || connect.equals(ZooKeeperConfig.EMBEDDED)) {
                return true;
            }
            // ZooKeeper allows a chroot after the host list: h1:2181,h2:2181/app.
            int slash = connect.indexOf('/');
            String hosts = slash < 0 ? connect : connect.substring(0, slash);
            for (String host : hosts.split(",", -1)) {
                if (host.isEmpty() || hasSpaceOrControl(host)) {
                    return false;
                }
            }
            return true;
        }

        /** Never echoes the password: messages end up in logs. */
        private String auth(ObjectNode m, String path, String defaultValue) throws ConfigException {
            Scalar s = scalar(m, path, "auth");
            if (s == null || s.text().isEmpty()) {
                return s == null ? defaultValue : "";
            }
            int colon = s.text().indexOf(':');
            if (colon <= 0) {
                String redacted = colon < 0 ? "***" : ":***";
                throw new ConfigException(s.path(), redacted, s.path() + ": " + quote(redacted)
                        + " (" + expected("user:password with a non-empty user, or \"\"") + ")");
            }
            return s.text();
        }

        private AdminConfig admin(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, ADMIN_KEYS);
            AdminConfig d = AdminConfig.DEFAULT;
            Scalar bindScalar = scalar(m, path, "bind");
            BindAddress bind = bindScalar == null ? d.bind() : parsed(bindScalar, BindAddress::parse);
            String token = string(m, path, "token", d.token());
            return new AdminConfig(bind, token);
        }

        private List<VipConfig> vips(ObjectNode root, AdminConfig admin) throws ConfigException {
            List<JsonNode> items = list(root, "", "vips", expected("a list of VIPs, each a map with keys "
                    + String.join(", ", VIP_KEYS)));
            List<VipConfig> vips = new ArrayList<>(items.size());
            Map<String, String> pathsByName = new HashMap<>();
            List<Listener> listeners = new ArrayList<>();
            listeners.add(new Listener("admin.bind", admin.bind()));
            for (int i = 0; i < items.size(); i++) {
                String path = "vips[" + i + "]";
                VipConfig vip = vip(items.get(i), path, null);

                String namePath = path + ".name";
                String earlier = pathsByName.putIfAbsent(vip.name(), path);
                if (earlier != null) {
                    throw new ConfigException(namePath, vip.name(), namePath + ": " + quote(vip.name()) + " ("
                            + expected("a name no other VIP has; " + earlier + " is also named " + vip.name()) + ")");
                }

                String bindPath = path + ".bind";
                for (Listener other : listeners) {
                    if (overlaps(other.bind(), vip.bind())) {
                        throw new ConfigException(bindPath, vip.bind().toString(), bindPath + ": "
                                + quote(vip.bind().toString()) + " (" + expected("an address no other listener uses; "
                                + other.path() + " is " + other.bind()) + ")");
                    }
                }
                listeners.add(new Listener(bindPath, vip.bind()));
                vips.add(vip);
            }
            return vips;
        }

        VipConfig vip(JsonNode node, String path, String defaultName) throws ConfigException {
            ObjectNode m = map(node, path, VIP_KEYS);
            VipConfig d = VIP_DEFAULTS;

            String name = vipName(m, path, defaultName);

            Scalar bindScalar = scalar(m, path, "bind");
            if (bindScalar == null) {
                throw missing(child(path, "bind"), BIND_RULE);
            }
            BindAddress bind = parsed(bindScalar, BindAddress::parse);

            Scalar serviceScalar = scalar(m, path, "service");
            String service = serviceScalar == null || serviceScalar.text().isEmpty() ? name : serviceScalar.text();
            if (!isNodeName(service)) {
                // The service name is a node under /halb/services.
                throw invalid(serviceScalar,
                        expected("a discovery service name: no '/', spaces or control characters"));
            }

            Strategy strategy = choice(m, path, "strategy", d.strategy(), Strategy::fromLabel);
            ZoneAffinityConfig zoneAffinity = zoneAffinity(m.get("zoneAffinity"), child(path, "zoneAffinity"));
            List<BackendConfig> backends = backends(m, path);
            HealthCheckConfig healthCheck = healthCheck(m.get("healthCheck"), child(path, "healthCheck"));
            OutlierDetectionConfig outlierDetection =
                    outlierDetection(m.get("outlierDetection"), child(path, "outlierDetection"));
            int connectTimeoutMs = integer(m, path, "connectTimeoutMs", d.connectTimeoutMs(), 1, 600_000);
            int connectRetries = integer(m, path, "connectRetries", d.connectRetries(), 0, 10);
            long idleTimeoutMs = longValue(m, path, "idleTimeoutMs", d.idleTimeoutMs(), 1, MAX_IDLE_TIMEOUT_MS);
            long finTimeoutMs = longValue(m, path, "finTimeoutMs", d.finTimeoutMs(), 1, MAX_IDLE_TIMEOUT_MS);
            int maxConnections = integer(m, path, "maxConnections", d.maxConnections(), 1, 1_000_000);
            ProxyProtocol proxyProtocol = choice(m, path, "proxyProtocol", d.proxyProtocol(), ProxyProtocol::fromLabel);
            List<Cidr> allowedBackendCidrs = cidrs(m, path);

            return new VipConfig(name, bind, service, strategy, zoneAffinity, backends, healthCheck, outlierDetection,
                    connectTimeoutMs, connectRetries, idleTimeoutMs, finTimeoutMs, maxConnections, proxyProtocol,
                    allowedBackendCidrs);
        }

        private String vipName(ObjectNode m, String path, String defaultName) throws ConfigException {
            Scalar s = scalar(m, path, "name");
            String namePath = child(path, "name");
            if (s == null) {
                if (defaultName == null) {
                    throw missing(namePath, NAME_RULE);
                }
                if (!VIP_NAME.matcher(defaultName).matches()) {
                    throw new ConfigException(namePath, defaultName,
                            namePath + ": " + quote(defaultName) + " (" + NAME_RULE + ")");
                }
                return defaultName;
            }
            if (!VIP_NAME.matcher(s.text()).matches()) {
                throw invalid(s, NAME_RULE);
            }
            if (defaultName != null && !defaultName.equals(s.text())) {
                throw invalid(s, expected(quote(defaultName) + ", the name the VIP is stored under"));
            }
            return s.text();
        }

        private ZoneAffinityConfig zoneAffinity(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, ZONE_AFFINITY_KEYS);
            ZoneAffinityConfig d = ZoneAffinityConfig.DEFAULT;
            boolean enabled = bool(m, path, "enabled", d.enabled());
            int minBackends = integer(m, path, "minBackends", d.minBackends(), 0, 100_000);
            return new ZoneAffinityConfig(enabled, minBackends);
        }

        private List<BackendConfig> backends(ObjectNode vip, String vipPath) throws ConfigException {
            String listPath = child(vipPath, "backends");
            List<JsonNode> items = list(vip, vipPath, "backends",
                    expected("a list of maps with keys " + String.join(", ", BACKEND_KEYS)));
            List<BackendConfig> backends = new ArrayList<>(items.size());
            Map<String, String> pathsById = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                String path = listPath + "[" + i + "]";
                ObjectNode m = map(items.get(i), path, BACKEND_KEYS);

                Scalar addressScalar = scalar(m, path, "address");
                if (addressScalar == null) {
                    throw missing(child(path, "address"), "a host name or IP address");
                }
                String address = addressScalar.text();
                if (address.startsWith("[") && address.endsWith("]")) {
                    // [v6] as in a URL; the backend id adds the brackets back.
                    address = address.substring(1, address.length() - 1);
                }
                if (address.isEmpty() || address.contains("/") || hasSpaceOrControl(address)) {
                    throw invalid(addressScalar, expected("a host name or IP address"));
                }
                int port = requiredInteger(m, path, "port", 1, 65535);
                String zone = string(m, path, "zone", "");
                String region = string(m, path, "region", "");
                String rack = string(m, path, "rack", "");
                int weight = integer(m, path, "weight", Backend.DEFAULT_WEIGHT, 1, Backend.MAX_WEIGHT);

                // Backends are identified by address:port; a second entry would shadow the first.
                String id = Backend.staticId(address, port);
                String earlier = pathsById.putIfAbsent(id, path);
                if (earlier != null) {
                    throw new ConfigException(path, id, path + ": " + quote(id) + " ("
                            + expected("each address:port once per VIP; " + earlier + " has it too") + ")");
                }
                backends.add(new BackendConfig(address, port, zone, region, rack, weight));
            }
            return backends;
        }

        private HealthCheckConfig healthCheck(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, HEALTH_CHECK_KEYS);
            HealthCheckConfig d = HealthCheckConfig.DEFAULT;
            HealthCheckType type = choice(m, path, "type", d.type(), HealthCheckType::fromLabel);

            Scalar pathScalar = scalar(m, path, "path");
            String httpPath = pathScalar == null ? d.path() : pathScalar.text();
            if (!httpPath.startsWith("/") || hasSpaceOrControl(httpPath)) {
                throw invalid(pathScalar, expected("an HTTP path starting with '/', e.g. /health"));
            }

            int port = integer(m, path, "port", d.port(), 0, 65535);
            int intervalMs = integer(m, path, "intervalMs", d.intervalMs(), 10, 3_600_000);
            // An unset timeout follows a short interval down, so that "intervalMs: 100" alone is valid.
            int timeoutMs = integer(m, path, "timeoutMs", Math.min(d.timeoutMs(), intervalMs), 1, 600_000);
            if (timeoutMs > intervalMs) {
                String timeoutPath = child(path, "timeoutMs");
                throw new ConfigException(timeoutPath, String.valueOf(timeoutMs), timeoutPath + ": "
                        + quote(String.valueOf(timeoutMs)) + " (" + expected("at most intervalMs (" + intervalMs
                        + "), so that a check ends before the next one starts") + ")");
            }
            int unhealthyThreshold = integer(m, path, "unhealthyThreshold", d.unhealthyThreshold(), 1, 100);
            int healthyThreshold = integer(m, path, "healthyThreshold", d.healthyThreshold(), 1, 100);
            return new HealthCheckConfig(type, httpPath, port, intervalMs, timeoutMs, unhealthyThreshold,
                    healthyThreshold);
        }

        private OutlierDetectionConfig outlierDetection(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, OUTLIER_KEYS);
            OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULT;
            int consecutiveFailures = integer(m, path, "consecutiveFailures", d.consecutiveFailures(), 0, 1000);
            long baseEjectionMs = longValue(m, path, "baseEjectionMs", d.baseEjectionMs(), 1,
                    OutlierDetectionConfig.MAX_EJECTION_MS);
            int maxEjectionPercent = integer(m, path, "maxEjectionPercent", d.maxEjectionPercent(), 0, 100);
            return new OutlierDetectionConfig(consecutiveFailures, baseEjectionMs, maxEjectionPercent);
        }

        private List<Cidr> cidrs(ObjectNode vip, String vipPath) throws ConfigException {
            String listPath = child(vipPath, "allowedBackendCidrs");
            String rule = "a CIDR such as 10.0.0.0/8 or fd00::/8";
            List<JsonNode> items =
                    list(vip, vipPath, "allowedBackendCidrs", expected("a list of CIDRs, e.g. [10.0.0.0/8]"));
            List<Cidr> cidrs = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                cidrs.add(parsed(item(items.get(i), listPath + "[" + i + "]", expected(rule)), Cidr::parse));
            }
            return cidrs;
        }

        private DrainConfig drain(JsonNode node, String path) throws ConfigException {
            ObjectNode m = map(node, path, DRAIN_KEYS);
            DrainConfig d = DrainConfig.DEFAULT;
            long delayMs = longValue(m, path, "delayMs", d.delayMs(), 0, MAX_DRAIN_MS);
            long timeoutMs = longValue(m, path, "timeoutMs", d.timeoutMs(), 0, MAX_DRAIN_MS);
            return new DrainConfig(delayMs, timeoutMs);
        }

        // ---- typed access with paths ----------------------------------------------------------

        /** The map at {@code path}; absent or null = empty (all defaults); any key not in {@code keys} is an error. */
        private ObjectNode map(JsonNode node, String path, List<String> keys) throws ConfigException {
            if (node == null || node.isNull()) {
                return NODES.objectNode();
            }
            if (!node.isObject()) {
                throw invalid(path, node, expected("a map with keys " + String.join(", ", keys)));
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                if (!keys.contains(entry.getKey())) {
                    String keyPath = child(path, entry.getKey());
                    throw new ConfigException(keyPath, null, keyPath + ": unknown key (" + oneOf(keys) + ")");
                }
            }
            return (ObjectNode) node;
        }

        /** The list under {@code key}; absent or null = empty. */
        private List<JsonNode> list(ObjectNode m, String path, String key, String expectation)
                throws ConfigException {
            JsonNode node = m.get(key);
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                throw invalid(child(path, key), node, expectation);
            }
            List<JsonNode> items = new ArrayList<>(node.size());
            node.forEach(items::add);
            return items;
        }

        /** The scalar under {@code key}, substituted; {@code null} when absent or null. */
        private Scalar scalar(ObjectNode m, String path, String key) throws ConfigException {
            JsonNode node = m.get(key);
            if (node == null || node.isNull()) {
                return null;
            }
            return item(node, child(path, key), expected("a single value"));
        }

        /** A scalar that must be there, e.g. a list entry. */
        private Scalar item(JsonNode node, String path, String expectation) throws ConfigException {
            if (node == null || !node.isTextual()) {
                throw invalid(path, node, expectation);
            }
            String raw = node.textValue();
            String text = substituteEnv ? substitute(raw, path) : raw;
            return new Scalar(path, raw, text.strip());
        }

        private String string(ObjectNode m, String path, String key, String defaultValue) throws ConfigException {
            Scalar s = scalar(m, path, key);
            return s == null ? defaultValue : s.text();
        }

        private boolean bool(ObjectNode m, String path, String key, boolean defaultValue) throws ConfigException {
            Scalar s = scalar(m, path, key);
            if (s == null) {
                return defaultValue;
            }
            // Only true/false (any case): YAML 1.1's yes/no/on/off are too easy to write by accident.
            if (s.text().equalsIgnoreCase("true")) {
                return true;
            }
            if (s.text().equalsIgnoreCase("false")) {
                return false;
            }
            throw invalid(s, expected("true or false"));
        }

        private int integer(ObjectNode m, String path, String key, int defaultValue, int min, int max)
                throws ConfigException {
            return (int) longValue(m, path, key, defaultValue, min, max);
        }

        private int requiredInteger(ObjectNode m, String path, String key, int min, int max)
                throws ConfigException {
            if (scalar(m, path, key) == null) {
                throw missing(child(path, key), "an integer " + min + "-" + max);
            }
            return integer(m, path, key, 0, min, max);
        }

        /** Whole numbers only: "1.5" or "1e3" for a count or a duration is a mistake worth reporting. */
        private long longValue(ObjectNode m, String path, String key, long defaultValue, long min, long max)
                throws ConfigException {
            Scalar s = scalar(m, path, key);
            if (s == null) {
                return defaultValue;
            }
            if (!INTEGER.matcher(s.text()).matches()) {
                throw invalid(s, range(min, max));
            }
            long value;
            try {
                value = Long.parseLong(s.text());
            } catch (NumberFormatException e) {
                throw invalid(s, range(min, max));
            }
            if (value < min || value > max) {
                throw invalid(s, range(min, max));
            }
            return value;
        }

        private <T> T choice(ObjectNode m, String path, String key, T defaultValue, Function<String, T> fromLabel)
                throws ConfigException {
            Scalar s = scalar(m, path, key);
            return s == null ? defaultValue : parsed(s, fromLabel);
        }

        /** Runs a parser whose IllegalArgumentException says "'value' (expected: ...)", adding the path. */
        private <T> T parsed(Scalar s, Function<String, T> parser) throws ConfigException {
            try {
                return parser.apply(s.text());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.path(), s.text(), s.path() + ": " + e.getMessage());
            }
        }

        // ---- ${ENV} substitution --------------------------------------------------------------

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
                        throw new ConfigException(path, raw, path + ": " + quote(raw) + " (" + expected("a '}' closing "
                                + "the '${' at character " + (i + 1) + "; write $${ for a literal ${") + ")");
                    }
                    String reference = raw.substring(i + 2, end);
                    int separator = reference.indexOf(":-");
                    String name = separator < 0 ? reference : reference.substring(0, separator);
                    if (!ENV_NAME.matcher(name).matches()) {
                        throw new ConfigException(path, raw, path + ": " + quote(raw) + " (" + expected("${NAME} or "
                                + "${NAME:-default} with NAME of letters, digits and '_'; write $${ for a literal ${")
                                + ")");
                    }
                    String value = env.get(name);
                    if (value == null || (value.isEmpty() && separator >= 0)) {
                        if (separator < 0) {
                            throw new ConfigException(path, raw, path + ": " + quote(raw) + " (" + expected(
                                    "environment variable " + name + " to be set, or a default as in ${" + name
                                            + ":-value}") + ")");
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

        // ---- errors ---------------------------------------------------------------------------

        /** A value of the wrong shape: a list or map where a scalar is expected, and so on. */
        private ConfigException invalid(String path, JsonNode node, String expectation) {
            String where = path.isEmpty() ? sourceName : path;
            String value;
            String shown;
            if (node == null || node.isNull()) {
                value = null;
                shown = "null";
            } else if (node.isObject()) {
                value = node.toString();
                shown = "a map";
            } else if (node.isArray()) {
                value = node.toString();
                shown = "a list";
            } else {
                value = node.asText();
                shown = quote(value);
            }
            return new ConfigException(path, value, where + ": " + shown + " (" + expectation + ")");
        }

        private ConfigException invalid(Scalar s, String expectation) {
            return new ConfigException(s.path(), s.text(), s.path() + ": " + s.shown() + " (" + expectation + ")");
        }

        private ConfigException missing(String path, String expectation) {
            String body = expectation.startsWith("expected") ? expectation : expected(expectation);
            return new ConfigException(path, null, path + ": missing (" + body + ")");
        }
    }
}
