package dev.halb.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    /** The documented example configuration, every key at its documented value. */
    private static final String DESIGN_EXAMPLE = """
            replica:
              id: ""                     # default: <hostname>-<admin port>
              zone: ""                   # this replica's zone; "" = no zone preference
              region: ""
            discovery:
              zookeeper:
                connect: ""              # "h1:2181,h2:2181,h3:2181"; "embedded" = in-process single-node ZooKeeper; "" = static only
                root: /halb
                sessionTimeoutMs: 15000
                connectionTimeoutMs: 5000
                auth: ""                 # "user:password" (ZooKeeper digest)
            admin:
              bind: 127.0.0.1:9990
              token: ""                  # bearer token for POST endpoints; "" = POST endpoints disabled (403)
            vips:
              - name: web                # [a-z0-9-]+, unique
                bind: 0.0.0.0:8080
                service: web             # discovery service name; default = name
                strategy: p2c            # p2c | round-robin | least-conn | random | maglev
                zoneAffinity:
                  enabled: true          # see section 5
                  minBackends: 3         # below this many candidates in all, ignore zones
                backends:                # static backends, merged with discovered ones
                  - { address: 127.0.0.1, port: 9001, zone: a, weight: 100 }
                healthCheck:
                  type: tcp              # tcp | http | none
                  path: /health          # http: GET, healthy iff 2xx within timeout
                  port: 0                # 0 = the backend's own port
                  intervalMs: 1000
                  timeoutMs: 500
                  unhealthyThreshold: 2
                  healthyThreshold: 2
                outlierDetection:
                  consecutiveFailures: 2     # failed connects in a row that eject a backend
                  baseEjectionMs: 5000       # doubles on each repeat ejection, capped at 300000
                  maxEjectionPercent: 50
                connectTimeoutMs: 1000
                connectRetries: 2            # other backends tried after a failed connect
                idleTimeoutMs: 600000
                maxConnections: 10000        # per VIP per replica; beyond it new clients are closed at once and counted
                proxyProtocol: off           # off | v1 | v2: send a PROXY header to backends
                allowedBackendCidrs: []      # discovered backends outside these are rejected; [] = any
            drain:
              delayMs: 5000              # after SIGTERM: /health answers 503 while still accepting
              timeoutMs: 30000           # then stop accepting and wait this long for open connections
            """;

    private static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

    private static HalbConfig parse(String yaml) throws ConfigException {
        return NO_ENV.parse(yaml, "test.yaml");
    }

    private static HalbConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(env).parse(yaml, "test.yaml");
    }

    private static ConfigException error(String yaml) {
        return error(yaml, Map.of());
    }

    private static ConfigException error(String yaml, Map<String, String> env) {
        try {
            HalbConfig config = parse(yaml, env);
            throw new AssertionError("expected a ConfigException, got " + config);
        } catch (ConfigException e) {
            return e;
        }
    }

    /** One VIP named web on 0.0.0.0:8080, with {@code extra} lines added to its map. */
    private static String vip(String extra) {
        StringBuilder yaml = new StringBuilder("vips:\n  - name: web\n    bind: 0.0.0.0:8080\n");
        extra.lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
        return yaml.toString();
    }

    private static VipConfig onlyVip(HalbConfig config) {
        assertThat(config.vips()).hasSize(1);
        return config.vips().get(0);
    }

    @Test
    void designExampleParsesToTheDocumentedDefaults() throws ConfigException {
        HalbConfig config = parse(DESIGN_EXAMPLE);

        VipConfig web = new VipConfig("web", new BindAddress("0.0.0.0", 8080), "web", Strategy.P2C,
                new ZoneAffinityConfig(true, 3), RegionFailoverConfig.DEFAULT,
                List.of(new BackendConfig("127.0.0.1", 9001, "a", "", "", 100)),
                new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 1000, 500, 2, 2),
                new OutlierDetectionConfig(2, 5000, 50), 1000, 2, 600_000, 5_000, 10_000, ProxyProtocol.OFF, List.of());
        assertThat(config).isEqualTo(new HalbConfig(
                new ReplicaConfig("", "", ""),
                new DiscoveryConfig(new ZooKeeperConfig("", "/halb", 15_000, 5_000, "")),
                new AdminConfig(new BindAddress("127.0.0.1", 9990), ""),
                List.of(web),
                new DrainConfig(5_000, 30_000)));
        // Every value in the example is a default.
        assertThat(web).isEqualTo(VipConfig.of("web", new BindAddress("0.0.0.0", 8080), web.backends()));
    }

    @Test
    void everyKeyCanBeSet() throws ConfigException {
        HalbConfig config = parse("""
                replica: {id: lb-1, zone: a, region: eu}
                discovery:
                  zookeeper: {connect: "z1:2181,z2:2181", root: /lb/prod, sessionTimeoutMs: 20000,
                              connectionTimeoutMs: 3000, auth: "halb:s3cret"}
                admin: {bind: "[::1]:9991", token: t0k}
                vips:
                  - name: db
                    bind: 10.0.0.5:5432
                    service: postgres
                    strategy: least-conn
                    zoneAffinity: {enabled: false, minBackends: 0}
                    backends:
                      - {address: db1.internal, port: 5432, zone: a, region: eu, rack: r1, weight: 200}
                      - {address: "[fd00::2]", port: 5432}
                    healthCheck: {type: http, path: /ready, port: 8081, intervalMs: 250, timeoutMs: 100,
                                  unhealthyThreshold: 3, healthyThreshold: 5}
                    outlierDetection: {consecutiveFailures: 0, baseEjectionMs: 1000, maxEjectionPercent: 100}
                    connectTimeoutMs: 250
                    connectRetries: 0
                    idleTimeoutMs: 2592000000
                    maxConnections: 1000000
                    proxyProtocol: v2
                    allowedBackendCidrs: [10.0.0.0/8, "fd00::/8"]
                  - name: web
                    bind: :8080
                    strategy: maglev
                drain: {delayMs: 0, timeoutMs: 3600000}
                """);

        assertThat(config.replica()).isEqualTo(new ReplicaConfig("lb-1", "a", "eu"));
        assertThat(config.discovery().zookeeper())
                .isEqualTo(new ZooKeeperConfig("z1:2181,z2:2181", "/lb/prod", 20_000, 3_000, "halb:s3cret"));
        assertThat(config.admin()).isEqualTo(new AdminConfig(new BindAddress("::1", 9991), "t0k"));
        assertThat(config.drain()).isEqualTo(new DrainConfig(0, 3_600_000));
        assertThat(config.vips()).hasSize(2);

        VipConfig db = config.vips().get(0);
        assertThat(db).isEqualTo(new VipConfig("db", new BindAddress("10.0.0.5", 5432), "postgres",
                Strategy.LEAST_CONN, new ZoneAffinityConfig(false, 0), RegionFailoverConfig.DEFAULT,
                List.of(new BackendConfig("db1.internal", 5432, "a", "eu", "r1", 200),
                        new BackendConfig("fd00::2", 5432, "", "", "", 100)),
                new HealthCheckConfig(HealthCheckType.HTTP, "/ready", 8081, 250, 100, 3, 5),
                new OutlierDetectionConfig(0, 1000, 100), 250, 0, 2_592_000_000L, 5_000, 1_000_000, ProxyProtocol.V2,
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"))));
        assertThat(db.staticBackends().get(1).id()).isEqualTo("[fd00::2]:5432");

        VipConfig web = config.vips().get(1);
        assertThat(web.bind()).isEqualTo(new BindAddress("0.0.0.0", 8080));
        assertThat(web.service()).isEqualTo("web");
        assertThat(web.strategy()).isEqualTo(Strategy.MAGLEV);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# only a comment\n# and another\n", "---\n", "replica:\ndiscovery:\nvips:\n",
            "replica: {}\ndiscovery: {zookeeper: {}}\nadmin: {}\nvips: []\ndrain: {}\n"})
    void emptyFileIsAllDefaultsWithNoVips(String yaml) throws ConfigException {
        assertThat(parse(yaml)).isEqualTo(new HalbConfig(ReplicaConfig.DEFAULT, DiscoveryConfig.DEFAULT,
                AdminConfig.DEFAULT, List.of(), DrainConfig.DEFAULT));
    }

    @Test
    void vipWithOnlyNameAndBindHasTheDefaults() throws ConfigException {
        assertThat(onlyVip(parse(vip(""))))
                .isEqualTo(VipConfig.of("web", new BindAddress("0.0.0.0", 8080), List.of()));
    }

    @Test
    void shortIntervalAloneBringsTheDefaultTimeoutDownWithIt() throws ConfigException {
        HealthCheckConfig check = onlyVip(parse(vip("healthCheck: {intervalMs: 100}"))).healthCheck();
        assertThat(check.intervalMs()).isEqualTo(100);
        assertThat(check.timeoutMs()).isEqualTo(100);
    }

    @Nested
    class UnknownKeys {

        @Test
        void atRoot() {
            ConfigException e = error("replica: {}\nvip: []\n");
            assertThat(e.path()).isEqualTo("vip");
            assertThat(e.value()).isNull();
            assertThat(e).hasMessage("vip: unknown key, did you mean 'vips'? (expected one of: replica, discovery, admin, vips, drain, dns, peers, accessLog)");
        }

        @Test
        void inVip() {
            ConfigException e = error(vip("strategie: p2c"));
            assertThat(e.path()).isEqualTo("vips[0].strategie");
            assertThat(e).hasMessage("vips[0].strategie: unknown key, did you mean 'strategy'? (expected one of: name, bind, service, "
                    + "strategy, zoneAffinity, regionFailover, backends, healthCheck, outlierDetection, connectTimeoutMs, "
                    + "connectRetries, idleTimeoutMs, finTimeoutMs, maxConnections, proxyProtocol, allowedBackendCidrs)");
        }

        @Test
        void inHealthCheckOfSecondVip() {
            ConfigException e = error("""
                    vips:
                      - {name: web, bind: ":8080"}
                      - name: api
                        bind: :8081
                        healthCheck:
                          intervalMz: 1000
                    """);
            assertThat(e.path()).isEqualTo("vips[1].healthCheck.intervalMz");
            assertThat(e).hasMessage("vips[1].healthCheck.intervalMz: unknown key, did you mean 'intervalMs'? (expected one of: type, path, "
                    + "port, intervalMs, timeoutMs, unhealthyThreshold, healthyThreshold)");
        }

        @Test
        void inNestedMapsAndListEntries() {
            assertThat(error("discovery:\n  zookeeper:\n    conect: x\n").path())
                    .isEqualTo("discovery.zookeeper.conect");
            assertThat(error("discovery:\n  zookeeper:\n    conect: x\n").getMessage())
                    .startsWith("discovery.zookeeper.conect: unknown key, did you mean 'connect'?");
            assertThat(error(vip("colour: red")).getMessage()).startsWith("vips[0].colour: unknown key (expected");
            assertThat(error(vip("backends: [{address: a, port: 1, wieght: 5}]")))
                    .hasMessage("vips[0].backends[0].wieght: unknown key, did you mean 'weight'? "
                            + "(expected one of: address, port, zone, region, rack, weight)");
        }

        @Test
        void mergeKeysAreUnknownKeys() {
            assertThat(error(vip("<<: {strategy: p2c}")).path()).isEqualTo("vips[0].<<");
        }
    }

    static Stream<Arguments> invalidVipValues() {
        return Stream.of(
                Arguments.of("strategy: fastest", "vips[0].strategy", "fastest",
                        "vips[0].strategy: 'fastest' (expected one of: p2c, round-robin, least-conn, random, maglev)"),
                Arguments.of("proxyProtocol: v3", "vips[0].proxyProtocol", "v3",
                        "vips[0].proxyProtocol: 'v3' (expected one of: off, v1, v2)"),
                Arguments.of("healthCheck: {type: udp}", "vips[0].healthCheck.type", "udp",
                        "vips[0].healthCheck.type: 'udp' (expected one of: tcp, http, none)"),
                Arguments.of("healthCheck: {intervalMs: 1.5}", "vips[0].healthCheck.intervalMs", "1.5",
                        "vips[0].healthCheck.intervalMs: '1.5' (expected: an integer 10-3600000)"),
                Arguments.of("healthCheck: {intervalMs: 1e3}", "vips[0].healthCheck.intervalMs", "1e3",
                        "vips[0].healthCheck.intervalMs: '1e3' (expected: an integer 10-3600000)"),
                Arguments.of("healthCheck: {intervalMs: 5}", "vips[0].healthCheck.intervalMs", "5",
                        "vips[0].healthCheck.intervalMs: '5' (expected: an integer 10-3600000)"),
                Arguments.of("healthCheck: {intervalMs: fast}", "vips[0].healthCheck.intervalMs", "fast",
                        "vips[0].healthCheck.intervalMs: 'fast' (expected: an integer 10-3600000)"),
                Arguments.of("healthCheck: {intervalMs: 1000, timeoutMs: 2000}", "vips[0].healthCheck.timeoutMs",
                        "2000", "vips[0].healthCheck.timeoutMs: '2000' (expected: at most intervalMs (1000), "
                                + "so that a check ends before the next one starts)"),
                Arguments.of("healthCheck: {timeoutMs: 0}", "vips[0].healthCheck.timeoutMs", "0",
                        "vips[0].healthCheck.timeoutMs: '0' (expected: an integer 1-600000)"),
                Arguments.of("healthCheck: {port: 70000}", "vips[0].healthCheck.port", "70000",
                        "vips[0].healthCheck.port: '70000' (expected: an integer 0-65535)"),
                Arguments.of("healthCheck: {path: health}", "vips[0].healthCheck.path", "health",
                        "vips[0].healthCheck.path: 'health' (expected: an HTTP path starting with '/', e.g. /health)"),
                Arguments.of("healthCheck: {unhealthyThreshold: 0}", "vips[0].healthCheck.unhealthyThreshold", "0",
                        "vips[0].healthCheck.unhealthyThreshold: '0' (expected: an integer 1-100)"),
                Arguments.of("healthCheck: {healthyThreshold: 101}", "vips[0].healthCheck.healthyThreshold", "101",
                        "vips[0].healthCheck.healthyThreshold: '101' (expected: an integer 1-100)"),
                Arguments.of("healthCheck: [tcp]", "vips[0].healthCheck", "[\"tcp\"]",
                        "vips[0].healthCheck: a list (expected: a map with keys type, path, port, intervalMs, "
                                + "timeoutMs, unhealthyThreshold, healthyThreshold)"),
                Arguments.of("healthCheck: tcp", "vips[0].healthCheck", "tcp",
                        "vips[0].healthCheck: 'tcp' (expected: a map with keys type, path, port, intervalMs, "
                                + "timeoutMs, unhealthyThreshold, healthyThreshold)"),
                Arguments.of("zoneAffinity: {enabled: yes}", "vips[0].zoneAffinity.enabled", "yes",
                        "vips[0].zoneAffinity.enabled: 'yes' (expected: true or false)"),
                Arguments.of("zoneAffinity: {minBackends: -1}", "vips[0].zoneAffinity.minBackends", "-1",
                        "vips[0].zoneAffinity.minBackends: '-1' (expected: an integer 0-100000)"),
                Arguments.of("regionFailover: {enabled: 1}", "vips[0].regionFailover.enabled", "1",
                        "vips[0].regionFailover.enabled: '1' (expected: true or false)"),
                Arguments.of("regionFailover: {overprovisioningFactor: 0.5}",
                        "vips[0].regionFailover.overprovisioningFactor", "0.5",
                        "vips[0].regionFailover.overprovisioningFactor: '0.5' (expected: a number 1-100)"),
                Arguments.of("regionFailover: {overprovisioningFactor: lots}",
                        "vips[0].regionFailover.overprovisioningFactor", "lots",
                        "vips[0].regionFailover.overprovisioningFactor: 'lots' (expected: a number 1-100)"),
                Arguments.of("regionFailover: {overprovisioningFactor: .nan}",
                        "vips[0].regionFailover.overprovisioningFactor", ".nan",
                        "vips[0].regionFailover.overprovisioningFactor: '.nan' (expected: a number 1-100)"),
                Arguments.of("regionFailover: {factor: 2}", "vips[0].regionFailover.factor", null,
                        "vips[0].regionFailover.factor: unknown key (expected one of: enabled, "
                                + "overprovisioningFactor)"),
                Arguments.of("backends: {address: a, port: 1}", "vips[0].backends", "{\"address\":\"a\",\"port\":\"1\"}",
                        "vips[0].backends: a map (expected: a list of maps with keys address, port, zone, region, "
                                + "rack, weight)"),
                Arguments.of("backends: [{address: 10.0.0.1, port: abc}]", "vips[0].backends[0].port", "abc",
                        "vips[0].backends[0].port: 'abc' (expected: an integer 1-65535)"),
                Arguments.of("backends: [{address: 10.0.0.1, port: 8080.0}]", "vips[0].backends[0].port", "8080.0",
                        "vips[0].backends[0].port: '8080.0' (expected: an integer 1-65535)"),
                Arguments.of("backends: [{address: 10.0.0.1, port: 0}]", "vips[0].backends[0].port", "0",
                        "vips[0].backends[0].port: '0' (expected: an integer 1-65535)"),
                Arguments.of("backends: [{address: 10.0.0.1}]", "vips[0].backends[0].port", null,
                        "vips[0].backends[0].port: missing (expected: an integer 1-65535)"),
                Arguments.of("backends: [{port: 80}]", "vips[0].backends[0].address", null,
                        "vips[0].backends[0].address: missing (expected: a host name or IP address)"),
                Arguments.of("backends: [{address: '', port: 80}]", "vips[0].backends[0].address", "",
                        "vips[0].backends[0].address: '' (expected: a host name or IP address)"),
                Arguments.of("backends: [{address: [a], port: 80}]", "vips[0].backends[0].address", "[\"a\"]",
                        "vips[0].backends[0].address: a list (expected: a single value)"),
                Arguments.of("backends: [{address: a, port: 80, weight: 0}]", "vips[0].backends[0].weight", "0",
                        "vips[0].backends[0].weight: '0' (expected: an integer 1-10000)"),
                Arguments.of("backends: [{address: a, port: 80, weight: 10001}]", "vips[0].backends[0].weight",
                        "10001", "vips[0].backends[0].weight: '10001' (expected: an integer 1-10000)"),
                Arguments.of("backends: [{address: a, port: 80}, {address: a, port: 80, zone: b}]",
                        "vips[0].backends[1]", "a:80",
                        "vips[0].backends[1]: 'a:80' (expected: each address:port once per VIP; "
                                + "vips[0].backends[0] has it too)"),
                Arguments.of("backends: [web1]", "vips[0].backends[0]", "web1",
                        "vips[0].backends[0]: 'web1' (expected: a map with keys address, port, zone, region, "
                                + "rack, weight)"),
                Arguments.of("outlierDetection: {consecutiveFailures: -1}",
                        "vips[0].outlierDetection.consecutiveFailures", "-1",
                        "vips[0].outlierDetection.consecutiveFailures: '-1' (expected: an integer 0-1000)"),
                Arguments.of("outlierDetection: {baseEjectionMs: 300001}", "vips[0].outlierDetection.baseEjectionMs",
                        "300001", "vips[0].outlierDetection.baseEjectionMs: '300001' (expected: an integer 1-300000)"),
                Arguments.of("outlierDetection: {maxEjectionPercent: 101}",
                        "vips[0].outlierDetection.maxEjectionPercent", "101",
                        "vips[0].outlierDetection.maxEjectionPercent: '101' (expected: an integer 0-100)"),
                Arguments.of("connectTimeoutMs: 0", "vips[0].connectTimeoutMs", "0",
                        "vips[0].connectTimeoutMs: '0' (expected: an integer 1-600000)"),
                Arguments.of("connectRetries: 11", "vips[0].connectRetries", "11",
                        "vips[0].connectRetries: '11' (expected: an integer 0-10)"),
                Arguments.of("idleTimeoutMs: 0", "vips[0].idleTimeoutMs", "0",
                        "vips[0].idleTimeoutMs: '0' (expected: an integer 1-2592000000)"),
                Arguments.of("idleTimeoutMs: 99999999999999999999", "vips[0].idleTimeoutMs", "99999999999999999999",
                        "vips[0].idleTimeoutMs: '99999999999999999999' (expected: an integer 1-2592000000)"),
                Arguments.of("maxConnections: 0", "vips[0].maxConnections", "0",
                        "vips[0].maxConnections: '0' (expected: an integer 1-1000000)"),
                Arguments.of("maxConnections: 1000001", "vips[0].maxConnections", "1000001",
                        "vips[0].maxConnections: '1000001' (expected: an integer 1-1000000)"),
                Arguments.of("allowedBackendCidrs: [10.0.0.0/33]", "vips[0].allowedBackendCidrs[0]", "10.0.0.0/33",
                        "vips[0].allowedBackendCidrs[0]: '10.0.0.0/33' (expected: prefix length 0-32)"),
                Arguments.of("allowedBackendCidrs: [10.0.0.0/8, intranet]", "vips[0].allowedBackendCidrs[1]",
                        "intranet", "vips[0].allowedBackendCidrs[1]: 'intranet' "
                                + "(expected: a CIDR such as 10.0.0.0/8 or fd00::/8)"),
                Arguments.of("allowedBackendCidrs: 10.0.0.0/8", "vips[0].allowedBackendCidrs", "10.0.0.0/8",
                        "vips[0].allowedBackendCidrs: '10.0.0.0/8' (expected: a list of CIDRs, e.g. [10.0.0.0/8])"),
                Arguments.of("service: a/b", "vips[0].service", "a/b",
                        "vips[0].service: 'a/b' (expected: a discovery service name: no '/', spaces or control "
                                + "characters)"));
    }

    @ParameterizedTest
    @MethodSource("invalidVipValues")
    void invalidVipValueNamesPathAndValue(String extra, String path, String value, String message) {
        ConfigException e = error(vip(extra));
        assertThat(e.path()).isEqualTo(path);
        assertThat(e.value()).isEqualTo(value);
        assertThat(e).hasMessage(message);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("vips:\n  - {name: Web, bind: ':80'}\n", "vips[0].name", "Web",
                        "vips[0].name: 'Web' (expected: 1-63 characters of a-z, 0-9 and '-')"),
                Arguments.of("vips:\n  - {name: " + "a".repeat(64) + ", bind: ':80'}\n", "vips[0].name",
                        "a".repeat(64), "vips[0].name: '" + "a".repeat(64)
                                + "' (expected: 1-63 characters of a-z, 0-9 and '-')"),
                Arguments.of("vips:\n  - {bind: ':80'}\n", "vips[0].name", null,
                        "vips[0].name: missing (expected: 1-63 characters of a-z, 0-9 and '-')"),
                Arguments.of("vips:\n  - {name: web}\n", "vips[0].bind", null,
                        "vips[0].bind: missing (expected: host:port, e.g. 0.0.0.0:8080)"),
                Arguments.of("vips:\n  - {name: web, bind: localhost}\n", "vips[0].bind", "localhost",
                        "vips[0].bind: 'localhost' (expected: host:port, e.g. 0.0.0.0:8080)"),
                Arguments.of("vips:\n  - {name: web, bind: ':99999'}\n", "vips[0].bind", ":99999",
                        "vips[0].bind: ':99999' (expected: port 0-65535)"),
                Arguments.of("vips:\n  - {name: web, bind: '[::1]'}\n", "vips[0].bind", "[::1]",
                        "vips[0].bind: '[::1]' (expected: [v6]:port, e.g. [::]:8080)"),
                Arguments.of("vips: {name: web}\n", "vips", "{\"name\":\"web\"}",
                        "vips: a map (expected: a list of VIPs, each a map with keys name, bind, service, strategy, "
                                + "zoneAffinity, regionFailover, backends, healthCheck, outlierDetection, connectTimeoutMs, "
                                + "connectRetries, idleTimeoutMs, finTimeoutMs, maxConnections, proxyProtocol, "
                                + "allowedBackendCidrs)"),
                Arguments.of("- a\n- b\n", "", "[\"a\",\"b\"]",
                        "test.yaml: a list (expected: a map with keys replica, discovery, admin, vips, drain, dns, peers, accessLog)"),
                Arguments.of("just text\n", "", "just text",
                        "test.yaml: 'just text' (expected: a map with keys replica, discovery, admin, vips, drain, dns, peers, accessLog)"),
                Arguments.of("replica: lb-1\n", "replica", "lb-1",
                        "replica: 'lb-1' (expected: a map with keys id, zone, region, advertise)"),
                Arguments.of("replica: {id: a/b}\n", "replica.id", "a/b",
                        "replica.id: 'a/b' (expected: \"\" or a ZooKeeper node name: no '/', spaces or control "
                                + "characters)"),
                Arguments.of("admin: {bind: nope}\n", "admin.bind", "nope",
                        "admin.bind: 'nope' (expected: host:port, e.g. 0.0.0.0:8080)"),
                Arguments.of("admin: {token: [a, b]}\n", "admin.token", "[\"a\",\"b\"]",
                        "admin.token: a list (expected: a single value)"),
                Arguments.of("drain: {delayMs: -1}\n", "drain.delayMs", "-1",
                        "drain.delayMs: '-1' (expected: an integer 0-3600000)"),
                Arguments.of("drain: {timeoutMs: 3600001}\n", "drain.timeoutMs", "3600001",
                        "drain.timeoutMs: '3600001' (expected: an integer 0-3600000)"),
                Arguments.of("discovery: {zookeeper: {root: halb}}\n", "discovery.zookeeper.root", "halb",
                        "discovery.zookeeper.root: 'halb' (expected: a ZooKeeper path such as /halb: starting with "
                                + "'/', not ending with '/', no empty parts)"),
                Arguments.of("discovery: {zookeeper: {root: /halb/}}\n", "discovery.zookeeper.root", "/halb/",
                        "discovery.zookeeper.root: '/halb/' (expected: a ZooKeeper path such as /halb: starting with "
                                + "'/', not ending with '/', no empty parts)"),
                Arguments.of("discovery: {zookeeper: {root: /}}\n", "discovery.zookeeper.root", "/",
                        "discovery.zookeeper.root: '/' (expected: a ZooKeeper path such as /halb: starting with "
                                + "'/', not ending with '/', no empty parts)"),
                Arguments.of("discovery: {zookeeper: {sessionTimeoutMs: 999}}\n",
                        "discovery.zookeeper.sessionTimeoutMs", "999",
                        "discovery.zookeeper.sessionTimeoutMs: '999' (expected: an integer 1000-600000)"),
                Arguments.of("discovery: {zookeeper: {connectionTimeoutMs: 99}}\n",
                        "discovery.zookeeper.connectionTimeoutMs", "99",
                        "discovery.zookeeper.connectionTimeoutMs: '99' (expected: an integer 100-600000)"),
                Arguments.of("discovery: {zookeeper: {connect: 'z1:2181,,z2:2181'}}\n",
                        "discovery.zookeeper.connect", "z1:2181,,z2:2181",
                        "discovery.zookeeper.connect: 'z1:2181,,z2:2181' "
                                + "(expected: host:port[,host:port...], 'embedded' or \"\")"),
                Arguments.of("discovery: {zookeeper: {auth: ':s3cret'}}\n", "discovery.zookeeper.auth", ":***",
                        "discovery.zookeeper.auth: ':***' (expected: user:password with a non-empty user, or \"\")"),
                Arguments.of("discovery: {zookeeper: {auth: s3cret}}\n", "discovery.zookeeper.auth", "***",
                        "discovery.zookeeper.auth: '***' (expected: user:password with a non-empty user, or \"\")"),
                Arguments.of("discovery: [zookeeper]\n", "discovery", "[\"zookeeper\"]",
                        "discovery: a list (expected: a map with keys zookeeper)"),
                Arguments.of("dns: {bind: 'nope'}\n", "dns.bind", "nope",
                        "dns.bind: 'nope' (expected: \"\" (off) or host:port, e.g. 0.0.0.0:53)"),
                Arguments.of("dns: {domain: 'bad..name'}\n", "dns.domain", "bad..name",
                        "dns.domain: 'bad..name' (expected: a domain name such as halb.internal: labels of 1-63 "
                                + "letters, digits, '-' or '_')"),
                Arguments.of("dns: {ttlSeconds: -1}\n", "dns.ttlSeconds", "-1",
                        "dns.ttlSeconds: '-1' (expected: an integer 0-86400)"),
                Arguments.of("peers: {unhealthyThreshold: 0}\n", "peers.unhealthyThreshold", "0",
                        "peers.unhealthyThreshold: '0' (expected: an integer 1-100)"),
                Arguments.of("peers: {probeIntervalMs: 5}\n", "peers.probeIntervalMs", "5",
                        "peers.probeIntervalMs: '5' (expected: an integer 10-600000)"),
                Arguments.of("replica: {advertise: 'lb1.example.com'}\n", "replica.advertise", "lb1.example.com",
                        "replica.advertise: 'lb1.example.com' (expected: \"\" or an IP address clients can reach, "
                                + "e.g. 10.0.0.5)"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidValueNamesPathAndValue(String yaml, String path, String value, String message) {
        ConfigException e = error(yaml);
        assertThat(e.path()).isEqualTo(path);
        assertThat(e.value()).isEqualTo(value);
        assertThat(e).hasMessage(message);
    }

    @Test
    void dnsIsOffByDefaultAndPeersProbeEverySecond() throws ConfigException {
        HalbConfig defaults = parse("");
        assertThat(defaults.dns().enabled()).isFalse();
        assertThat(defaults.dns()).isEqualTo(DnsConfig.DEFAULT);
        assertThat(defaults.peers()).isEqualTo(new PeersConfig(1_000, 500, 2));
        assertThat(defaults.replica().advertise()).isEmpty();
        HalbConfig set = parse("""
                replica: {advertise: 10.0.0.5}
                dns: {bind: '0.0.0.0:53', domain: LB.Example.COM., ttlSeconds: 2}
                peers: {probeIntervalMs: 250, timeoutMs: 100, unhealthyThreshold: 3}
                """);
        assertThat(set.replica().advertise()).isEqualTo("10.0.0.5");
        assertThat(set.dns()).isEqualTo(new DnsConfig(new BindAddress("0.0.0.0", 53), "lb.example.com", 2));
        assertThat(set.peers()).isEqualTo(new PeersConfig(250, 100, 3));
        assertThat(parse("dns: {bind: ''}\n").dns().enabled()).isFalse();
    }

    @Test
    void zookeeperConnectStringsThatAreValid() throws ConfigException {
        for (String connect : List.of("", "embedded", "z1:2181", "z1:2181,z2:2181,z3:2181/chroot", "[::1]:2181")) {
            assertThat(parse("discovery: {zookeeper: {connect: '" + connect + "'}}\n")
                    .discovery().zookeeper().connect()).isEqualTo(connect);
        }
    }

    @Test
    void authWithEmptyPasswordIsAllowedAndPasswordsNeverAppearInMessages() throws ConfigException {
        assertThat(parse("discovery: {zookeeper: {auth: 'user:'}}\n").discovery().zookeeper().auth())
                .isEqualTo("user:");
        assertThat(error("discovery: {zookeeper: {auth: ':hunter2'}}\n").getMessage()).doesNotContain("hunter2");
    }

    @Nested
    class Listeners {

        @Test
        void twoVipsOnTheSameAddress() {
            ConfigException e = error("""
                    vips:
                      - {name: web, bind: "0.0.0.0:8080"}
                      - {name: api, bind: "0.0.0.0:8080"}
                    """);
            assertThat(e.path()).isEqualTo("vips[1].bind");
            assertThat(e.value()).isEqualTo("0.0.0.0:8080");
            assertThat(e).hasMessage("vips[1].bind: '0.0.0.0:8080' (expected: an address no other listener uses; "
                    + "vips[0].bind is 0.0.0.0:8080)");
        }

        @Test
        void wildcardOverlapsASpecificAddressOnTheSamePort() {
            assertThat(error("""
                    vips:
                      - {name: web, bind: "127.0.0.1:8080"}
                      - {name: api, bind: ":8080"}
                    """).path()).isEqualTo("vips[1].bind");
        }

        @Test
        void vipOnTheAdminAddress() {
            ConfigException e = error("vips:\n  - {name: web, bind: '127.0.0.1:9990'}\n");
            assertThat(e).hasMessage("vips[0].bind: '127.0.0.1:9990' (expected: an address no other listener "
                    + "uses; admin.bind is 127.0.0.1:9990)");
        }

        @Test
        void differentHostsOrPortZeroDoNotConflict() throws ConfigException {
            HalbConfig config = parse("""
                    admin: {bind: "127.0.0.1:0"}
                    vips:
                      - {name: a, bind: "127.0.0.1:0"}
                      - {name: b, bind: "127.0.0.1:0"}
                      - {name: c, bind: "127.0.0.1:8080"}
                      - {name: d, bind: "127.0.0.2:8080"}
                    """);
            assertThat(config.vips()).extracting(VipConfig::name).containsExactly("a", "b", "c", "d");
        }
    }

    @Nested
    class Environment {

        @Test
        void defaultIsUsedWhenUnsetAndConvertedToTheKeysType() throws ConfigException {
            VipConfig vip = onlyVip(parse(vip("""
                    zoneAffinity: {enabled: "${ZA:-true}", minBackends: "${MIN:-7}"}
                    backends: [{address: "${ADDR:-10.0.0.1}", port: "${PORT:-8080}"}]
                    """)));
            assertThat(vip.zoneAffinity()).isEqualTo(new ZoneAffinityConfig(true, 7));
            assertThat(vip.backends()).containsExactly(new BackendConfig("10.0.0.1", 8080, "", "", "", 100));
        }

        @Test
        void regionFailoverDefaultsAndDecimalsFromTheEnvironment() throws ConfigException {
            assertThat(onlyVip(parse(vip("strategy: p2c"))).regionFailover())
                    .isEqualTo(new RegionFailoverConfig(true, 1.4));
            VipConfig vip = onlyVip(parse(vip("""
                    regionFailover:
                      enabled: ${RF:-true}
                      overprovisioningFactor: ${FACTOR:-1.4}
                    """), Map.of("RF", "false", "FACTOR", "2.5")));
            assertThat(vip.regionFailover()).isEqualTo(new RegionFailoverConfig(false, 2.5));
            assertThat(onlyVip(parse(vip("regionFailover: {overprovisioningFactor: 2}"))).regionFailover())
                    .isEqualTo(new RegionFailoverConfig(true, 2.0));
        }

        @Test
        void unquotedReferencesWorkInBlockStyle() throws ConfigException {
            // In flow style ({...}, [...]) YAML needs them quoted: '{' and '}' are flow indicators there.
            VipConfig vip = onlyVip(parse(vip("""
                    zoneAffinity:
                      enabled: ${ZA:-true}
                    backends:
                      - address: 10.0.0.1
                        port: ${PORT:-8080}
                    """), Map.of("ZA", "false")));
            assertThat(vip.zoneAffinity().enabled()).isFalse();
            assertThat(vip.backends().get(0).port()).isEqualTo(8080);
        }

        @Test
        void variableWinsOverDefaultAndCanSitInsideText() throws ConfigException {
            HalbConfig config = parse("""
                    replica: {id: "lb-${HOST}-${SLOT:-0}", region: "${REGION:-eu}"}
                    vips:
                      - name: web
                        bind: ${BIND_HOST:-0.0.0.0}:${VIP_PORT}
                    """, Map.of("HOST", "h1", "VIP_PORT", "7000", "REGION", "us"));
            assertThat(config.replica().id()).isEqualTo("lb-h1-0");
            assertThat(config.replica().region()).isEqualTo("us");
            assertThat(onlyVip(config).bind()).isEqualTo(new BindAddress("0.0.0.0", 7000));
        }

        @Test
        void emptyVariableTakesTheDefaultOnlyWithColonDash() throws ConfigException {
            HalbConfig config = parse("replica: {id: '${EMPTY:-x}', region: 'r${EMPTY}'}\n", Map.of("EMPTY", ""));
            assertThat(config.replica().id()).isEqualTo("x");
            assertThat(config.replica().region()).isEqualTo("r");
        }

        @Test
        void missingVariableWithoutDefaultNamesKeyAndVariable() {
            ConfigException e = error(vip("backends: [{address: a, port: '${BACKEND_PORT}'}]"));
            assertThat(e.path()).isEqualTo("vips[0].backends[0].port");
            assertThat(e.value()).isEqualTo("${BACKEND_PORT}");
            assertThat(e).hasMessage("vips[0].backends[0].port: '${BACKEND_PORT}' (expected: environment variable "
                    + "BACKEND_PORT to be set, or a default as in ${BACKEND_PORT:-value})");
        }

        @Test
        void substitutedValueIsValidatedAndTheMessageShowsWhereItCameFrom() {
            ConfigException e = error(vip("connectRetries: ${RETRIES}"), Map.of("RETRIES", "many"));
            assertThat(e.path()).isEqualTo("vips[0].connectRetries");
            assertThat(e.value()).isEqualTo("many");
            assertThat(e).hasMessage("vips[0].connectRetries: 'many' (from '${RETRIES}') "
                    + "(expected: an integer 0-10)");
        }

        @Test
        void doubleDollarIsALiteralAndValuesAreNotSubstitutedTwice() throws ConfigException {
            HalbConfig config = parse("""
                    admin: {token: "$${NOT_A_VAR}"}
                    replica: {id: "a$${b}-${X}", region: "cost: $5"}
                    """, Map.of("X", "${NOT_A_VAR}", "NOT_A_VAR", "secret"));
            assertThat(config.admin().token()).isEqualTo("${NOT_A_VAR}");
            assertThat(config.replica().id()).isEqualTo("a${b}-${NOT_A_VAR}");
            assertThat(config.replica().region()).isEqualTo("cost: $5");
        }

        @Test
        void malformedReferences() {
            assertThat(error("admin: {token: 'x${OPEN'}\n")).hasMessage("admin.token: 'x${OPEN' (expected: a '}' "
                    + "closing the '${' at character 2; write $${ for a literal ${)");
            assertThat(error("admin: {token: '${NOT VALID}'}\n").path()).isEqualTo("admin.token");
            assertThat(error("admin: {token: '${}'}\n").value()).isEqualTo("${}");
        }

        @Test
        void keysAreNotSubstituted() {
            assertThat(error("replica: {'${K:-id}': x}\n").path()).isEqualTo("replica.${K:-id}");
        }
    }

    @Nested
    class Zone {

        @Test
        void emptyZoneFallsBackToHalbZone() throws ConfigException {
            assertThat(parse("", Map.of("HALB_ZONE", "b")).replica().zone()).isEqualTo("b");
            assertThat(parse("replica: {zone: ''}\n", Map.of("HALB_ZONE", " c ")).replica().zone()).isEqualTo("c");
        }

        @Test
        void configuredZoneWins() throws ConfigException {
            assertThat(parse("replica: {zone: a}\n", Map.of("HALB_ZONE", "b")).replica().zone()).isEqualTo("a");
        }

        @Test
        void noZoneAnywhereIsNoZone() throws ConfigException {
            assertThat(parse("replica: {zone: ''}\n").replica().zone()).isEmpty();
        }
    }

    @Nested
    class Duplicates {

        @Test
        void duplicateVipNames() {
            ConfigException e = error("""
                    vips:
                      - {name: web, bind: ":8080"}
                      - {name: api, bind: ":8081"}
                      - {name: web, bind: ":8082"}
                    """);
            assertThat(e.path()).isEqualTo("vips[2].name");
            assertThat(e.value()).isEqualTo("web");
            assertThat(e).hasMessage("vips[2].name: 'web' (expected: a name no other VIP has; "
                    + "vips[0] is also named web)");
        }

        @Test
        void duplicateKeyNamesItsPathAndLine() {
            ConfigException e = error("""
                    vips:
                      - name: web
                        bind: :8080
                        healthCheck:
                          intervalMs: 1000
                          intervalMs: 2000
                    """);
            assertThat(e.path()).isEqualTo("vips[0].healthCheck.intervalMs");
            assertThat(e).hasMessage("vips[0].healthCheck.intervalMs: duplicate key "
                    + "(expected: each key once, the second is at line 6)");
        }

        @Test
        void duplicateRootKey() {
            assertThat(error("drain: {}\ndrain: {}\n").path()).isEqualTo("drain");
        }
    }

    @Nested
    class Syntax {

        @Test
        void badYamlGivesLineAndColumnWithoutAStackTrace() {
            ConfigException e = error("admin:\n  bind: 1\n token: 2\n");
            assertThat(e.path()).isEmpty();
            assertThat(e.getMessage())
                    .startsWith("test.yaml: invalid YAML at line 3, column ")
                    .doesNotContain("\n", "Exception", "\tat ", "^");
        }

        @Test
        void unclosedFlowSequenceSaysWhereItStarted() {
            ConfigException e = error("vips: [\nadmin: {}\n");
            assertThat(e.getMessage()).startsWith("test.yaml: invalid YAML at line ")
                    .contains("while parsing a flow sequence started at line 1, column 7")
                    .doesNotContain("\n");
        }

        @Test
        void tabsAndComplexKeys() {
            assertThat(error("\tadmin: {}\n").getMessage()).startsWith("test.yaml: invalid YAML at line 1, column 1:");
            assertThat(error("? [a, b]\n: 1\n"))
                    .hasMessage("test.yaml: invalid YAML at line 1, column 4: a key must be a plain value, "
                            + "not a list or a map");
        }

        @Test
        void unquotedReferenceInFlowStyleGetsAHint() {
            assertThat(error("admin: {bind: ${ADMIN_BIND}}\n"))
                    .hasMessage("test.yaml: invalid YAML at line 1, column 16: expected ',' or '}', but got { "
                            + "(while parsing a flow mapping started at line 1, column 8); "
                            + "inside {...} or [...] a value with ${...} must be quoted");
        }

        @Test
        void aliasesAreRejectedRatherThanReadAsTheirName() {
            ConfigException e = error("""
                    vips:
                      - &base {name: web, bind: ":8080"}
                      - *base
                    """);
            assertThat(e.path()).isEqualTo("vips[1]");
            assertThat(e).hasMessage("vips[1]: alias '*base' (expected: a value written out; "
                    + "YAML anchors and aliases are not supported)");
        }

        @Test
        void secondDocument() {
            assertThat(error("admin: {}\n---\ndrain: {}\n"))
                    .hasMessage("test.yaml: a second YAML document at line 3 (expected: one document)");
        }
    }

    @Nested
    class Loading {

        @Test
        void loadsAFile(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("halb.yaml");
            Files.writeString(file, DESIGN_EXAMPLE);
            assertThat(NO_ENV.load(file)).isEqualTo(parse(DESIGN_EXAMPLE));
        }

        @Test
        void missingFileIsNamed(@TempDir Path dir) {
            Path file = dir.resolve("nope.yaml");
            assertThatThrownBy(() -> NO_ENV.load(file))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(file + ": no such file (expected: a readable YAML file)")
                    .satisfies(e -> {
                        assertThat(((ConfigException) e).path()).isEmpty();
                        assertThat(((ConfigException) e).value()).isEqualTo(file.toString());
                    });
        }

        @Test
        void directoryIsNamed(@TempDir Path dir) {
            assertThatThrownBy(() -> NO_ENV.load(dir))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(dir + ": a directory (expected: a readable YAML file)");
        }

        @Test
        void syntaxErrorInAFileNamesTheFile(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("bad.yaml");
            Files.writeString(file, "admin: [\n");
            assertThatThrownBy(() -> NO_ENV.load(file))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(file + ": invalid YAML at line ");
        }
    }

    @Nested
    class VipJson {

        private final ConfigLoader loader = new ConfigLoader(Map.of("SECRET", "s3cret"));

        @Test
        void sameFieldsAsYaml() throws ConfigException {
            VipConfig vip = loader.parseVip("""
                    {"name": "web", "bind": "0.0.0.0:8080", "strategy": "round-robin",
                     "zoneAffinity": {"enabled": false, "minBackends": 5},
                     "backends": [{"address": "10.0.0.1", "port": 9001, "zone": "a", "weight": 50}],
                     "healthCheck": {"type": "http", "path": "/ping", "intervalMs": 2000, "timeoutMs": 1500},
                     "outlierDetection": {"consecutiveFailures": 3},
                     "connectRetries": 1, "proxyProtocol": "v1", "allowedBackendCidrs": ["10.0.0.0/8"]}
                    """, "vips.web");
            assertThat(vip).isEqualTo(new VipConfig("web", new BindAddress("0.0.0.0", 8080), "web",
                    Strategy.ROUND_ROBIN, new ZoneAffinityConfig(false, 5), RegionFailoverConfig.DEFAULT,
                    List.of(new BackendConfig("10.0.0.1", 9001, "a", "", "", 50)),
                    new HealthCheckConfig(HealthCheckType.HTTP, "/ping", 0, 2000, 1500, 2, 2),
                    new OutlierDetectionConfig(3, 5000, 50), 1000, 1, 600_000, 5_000, 10_000, ProxyProtocol.V1,
                    List.of(Cidr.parse("10.0.0.0/8"))));
        }

        @Test
        void nameFromTheCallerWhenTheJsonHasNone() throws ConfigException {
            VipConfig vip = loader.parseVip("{\"bind\": \":8080\"}", "vips.web", "web");
            assertThat(vip).isEqualTo(VipConfig.of("web", new BindAddress("0.0.0.0", 8080), List.of()));
            assertThat(loader.parseVip("{\"name\": \"web\", \"bind\": \":8080\"}", "vips.web", "web").name())
                    .isEqualTo("web");
        }

        @Test
        void nameMissingOrDifferent() {
            assertThatThrownBy(() -> loader.parseVip("{\"bind\": \":8080\"}", "vips.web"))
                    .hasMessage("vips.web.name: missing (expected: 1-63 characters of a-z, 0-9 and '-')");
            assertThatThrownBy(() -> loader.parseVip("{\"name\": \"api\", \"bind\": \":8080\"}", "vips.web", "web"))
                    .hasMessage("vips.web.name: 'api' (expected: 'web', the name the VIP is stored under)");
            assertThatThrownBy(() -> loader.parseVip("{\"bind\": \":8080\"}", "vips.Web", "Web"))
                    .hasMessage("vips.Web.name: 'Web' (expected: 1-63 characters of a-z, 0-9 and '-')");
        }

        @Test
        void errorsCarryThePrefix() {
            assertThatThrownBy(() -> loader.parseVip(
                    "{\"bind\": \":8080\", \"healthCheck\": {\"intervalMz\": 1}}", "vips.web", "web"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("vips.web.healthCheck.intervalMz: unknown key, did you mean 'intervalMs'? (expected one of: type, path, port, "
                            + "intervalMs, timeoutMs, unhealthyThreshold, healthyThreshold)");
            assertThatThrownBy(() -> loader.parseVip("{\"bind\": \":8080\", \"connectTimeoutMs\": 1.5}",
                    "vips.web", "web"))
                    .hasMessage("vips.web.connectTimeoutMs: '1.5' (expected: an integer 1-600000)");
            assertThatThrownBy(() -> loader.parseVip("{\"bind\": \":8080\", \"bind\": \":8081\"}", "vips.web", "web"))
                    .hasMessageStartingWith("vips.web.bind: duplicate key");
            assertThatThrownBy(() -> loader.parseVip("[]", "vips.web", "web"))
                    .hasMessageStartingWith("vips.web: a list (expected: a map with keys name, bind,");
        }

        @Test
        void invalidJsonGivesPosition() {
            assertThatThrownBy(() -> loader.parseVip("{\"bind\": \":8080\",}", "vips.web", "web"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("vips.web: invalid JSON at line 1, column 18: ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThatThrownBy(() -> loader.parseVip("", "vips.web", "web"))
                    .hasMessageStartingWith("vips.web: empty (expected: a JSON object");
        }

        @Test
        void environmentIsNotReadFromZooKeeperNodes() throws ConfigException {
            VipConfig vip = loader.parseVip("{\"bind\": \":8080\", \"service\": \"${SECRET}\"}", "vips.web", "web");
            assertThat(vip.service()).isEqualTo("${SECRET}");
        }
    }

    @org.junit.jupiter.api.Test
    void accessLogBindsAndNamesABadFormat() throws ConfigException {
        assertThat(ConfigLoader.withSystemEnv().parse("accessLog: { format: json, path: /tmp/a.json }", "test.yaml")
                .accessLog()).isEqualTo(new AccessLogConfig(AccessLogFormat.JSON, "/tmp/a.json"));
        assertThat(ConfigLoader.withSystemEnv().parse("accessLog: { format: off }", "test.yaml").accessLog())
                .isEqualTo(AccessLogConfig.DEFAULT);
        assertThat(ConfigLoader.withSystemEnv().parse("vips: []", "test.yaml").accessLog().enabled()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        ConfigLoader.withSystemEnv().parse("accessLog: { format: xml }", "test.yaml"))
                .hasMessageContaining("accessLog.format").hasMessageContaining("expected one of: off, text, json");
    }
}
