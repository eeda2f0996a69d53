package dev.halb.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The records check their values when built in code, not only when read from a file. */
class RecordChecksTest {

    private static final BindAddress ANY = new BindAddress("0.0.0.0", 8080);
    private static final VipConfig WEB = VipConfig.of("web", ANY, List.of());

    private static VipConfig withRetries(int connectRetries) {
        return new VipConfig("web", ANY, "web", Strategy.P2C, ZoneAffinityConfig.DEFAULT, RegionFailoverConfig.DEFAULT,
                List.of(),
                HealthCheckConfig.DEFAULT, OutlierDetectionConfig.DEFAULT, 1000, connectRetries, 600_000, 5_000,
                10_000, ProxyProtocol.OFF, List.of());
    }

    @Test
    void aVipBuiltInCodeWithAnInvalidValueFailsAtOnceNamingKeyAndValue() {
        assertThatThrownBy(() -> withRetries(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectRetries: -1 (expected: an integer 0-10)");
    }

    @Test
    void everyRecordChecksItsRanges() {
        assertThatThrownBy(() -> new HealthCheckConfig(HealthCheckType.TCP, "/health", 0, 1000, 2000, 2, 2))
                .hasMessage("timeoutMs: 2000 (expected: at most intervalMs (1000), so that a check ends before "
                        + "the next one starts)");
        assertThatThrownBy(() -> new OutlierDetectionConfig(2, 0, 50))
                .hasMessage("baseEjectionMs: 0 (expected: an integer 1-300000)");
        assertThatThrownBy(() -> new ZoneAffinityConfig(true, -1))
                .hasMessage("minBackends: -1 (expected: an integer 0-100000)");
        assertThatThrownBy(() -> new DrainConfig(-1, 0))
                .hasMessage("delayMs: -1 (expected: an integer 0-3600000)");
        assertThatThrownBy(() -> new BackendConfig("10.0.0.1", 0, "", "", "", 100))
                .hasMessage("port: 0 (expected: an integer 1-65535)");
        assertThatThrownBy(() -> new ZooKeeperConfig("", "/halb", 999, 5_000, ""))
                .hasMessage("sessionTimeoutMs: 999 (expected: an integer 1000-600000)");
        assertThatThrownBy(() -> new ReplicaConfig("a/b", "", ""))
                .hasMessageStartingWith("id: a/b (expected: \"\" or a ZooKeeper node name");
        assertThatThrownBy(() -> VipConfig.of("Web", ANY, List.of()))
                .hasMessage("name: Web (expected: 1-63 characters of a-z, 0-9 and '-')");
    }

    @Test
    void crossChecksNameTheOtherKey() {
        BackendConfig a = new BackendConfig("a", 80, "", "", "", 100);
        assertThatThrownBy(() -> VipConfig.of("web", ANY, List.of(a, a)))
                .hasMessage("backends[1]: a:80 (expected: each address:port once per VIP; backends[0] has it too)");
        assertThatThrownBy(() -> new HalbConfig(null, null, null, List.of(WEB, VipConfig.of("api", ANY, List.of())),
                null))
                .hasMessage("vips[1].bind: 0.0.0.0:8080 (expected: an address no other listener uses; "
                        + "vips[0].bind is 0.0.0.0:8080)");
    }

    @Test
    void secretsAreMaskedInTheRecordsOwnMessage() {
        assertThatThrownBy(() -> new ZooKeeperConfig("", "/halb", 15_000, 5_000, ":hunter2"))
                .hasMessage("auth: :*** (expected: user:password with a non-empty user, or \"\")");
    }

    @Test
    void nullComponentsTakeTheirDefaultsAndCollectionsAreCopied() {
        java.util.ArrayList<VipConfig> vips = new java.util.ArrayList<>(List.of(WEB));
        HalbConfig config = new HalbConfig(null, null, null, vips, null);
        vips.clear();
        assertThat(config).isEqualTo(new HalbConfig(ReplicaConfig.DEFAULT, DiscoveryConfig.DEFAULT,
                AdminConfig.DEFAULT, List.of(WEB), DrainConfig.DEFAULT));
        assertThatThrownBy(() -> config.vips().add(WEB)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withDefaultsHoldsTheDocumentedDefaults() {
        assertThat(HealthCheckConfig.withDefaults(null, null, null, null, null, null, null))
                .isEqualTo(HealthCheckConfig.DEFAULT);
        assertThat(ZooKeeperConfig.withDefaults(null, null, null, null, null)).isEqualTo(ZooKeeperConfig.DEFAULT);
        assertThat(OutlierDetectionConfig.withDefaults(null, null, null)).isEqualTo(OutlierDetectionConfig.DEFAULT);
        assertThat(ZoneAffinityConfig.withDefaults(null, null)).isEqualTo(ZoneAffinityConfig.DEFAULT);
        assertThat(DrainConfig.withDefaults(null, null)).isEqualTo(DrainConfig.DEFAULT);
    }

    @Test
    void emptyConfigurationServesNothingUnlessZooKeeperCanAddVips() {
        assertThat(new HalbConfig(null, null, null, List.of(), null).servesNothing()).isTrue();
        assertThat(new HalbConfig(null, null, null, List.of(WEB), null).servesNothing()).isFalse();
        DiscoveryConfig zk = new DiscoveryConfig(new ZooKeeperConfig("z1:2181", "/halb", 15_000, 5_000, ""));
        assertThat(new HalbConfig(null, zk, null, List.of(), null).servesNothing()).isFalse();
    }

    // ---- what an operator sees ------------------------------------------------------------------

    static Stream<String> badDocuments() {
        return Stream.of(
                "vips: [~]\n",
                "vips: [{name: web, bind: ':80', backends: [~]}]\n",
                "vips: [{name: web, bind: ':80', allowedBackendCidrs: [~]}]\n",
                "vips: [{name: web, bind: {host: a}}]\n",
                "vips: [{name: web, bind: ':80', strategy: [p2c]}]\n",
                "vips: [{name: web, bind: ':80', strategy: {a: b}}]\n",
                "vips: [{name: [web], bind: ':80'}]\n",
                "vips: [{name: web, bind: ':80', connectRetries: {a: 1}}]\n",
                "vips: [{name: web, bind: ':80', connectRetries: ''}]\n",
                "vips: [{name: web, bind: ':80', connectRetries: 99999999999}]\n",
                "vips: [{name: web, bind: ':80', idleTimeoutMs: 0x10}]\n",
                "vips: [{name: web, bind: ':80', zoneAffinity: {enabled: [true]}}]\n",
                "vips: [{name: web, bind: ':80', zoneAffinity: {enabled: on}}]\n",
                "vips: [{name: web, bind: ':80', healthCheck: {type: [tcp]}}]\n",
                "vips: [{name: web, bind: ':80', backends: [{address: a, port: 1, weight: 1.0}]}]\n",
                "vips: 5\n",
                "replica: {zone: {a: b}}\n",
                "drain: []\n",
                "admin: {bind: 5}\n",
                "admin: {bind: [a]}\n");
    }

    @ParameterizedTest
    @MethodSource("badDocuments")
    void noJavaOrJacksonTextReachesTheOperator(String yaml) {
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).parse(yaml, "test.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    ConfigException c = (ConfigException) e;
                    assertThat(c.getMessage()).startsWith(c.path().isEmpty() ? "test.yaml: " : c.path() + ": ")
                            .contains("expected")
                            .doesNotContain("java.", "jackson", "Jackson", "Exception", "`", "Cannot ", "\n",
                                    "dev.halb", "Config(", "Integer", "Long", "Boolean", "String");
                });
    }

    @Test
    void nullListEntriesAreNamed() {
        ConfigException e = error("vips: [{name: web, bind: ':80', backends: [~]}]\n");
        assertThat(e.path()).isEqualTo("vips[0].backends[0]");
        assertThat(e).hasMessage("vips[0].backends[0]: null (expected: a map with keys address, port, zone, region, "
                + "rack, weight)");
    }

    @Test
    void yamlBooleansOtherThanTrueAndFalseAreWords() throws ConfigException {
        // YAML 1.1 reads off, on, yes and no as booleans; here they stay what was written.
        VipConfig vip = parse("vips: [{name: web, bind: ':80', proxyProtocol: off}]\n").vips().get(0);
        assertThat(vip.proxyProtocol()).isEqualTo(ProxyProtocol.OFF);
        assertThat(error("vips: [{name: web, bind: ':80', proxyProtocol: no}]\n"))
                .hasMessage("vips[0].proxyProtocol: 'no' (expected one of: off, v1, v2)");
        assertThat(parse("replica: {id: on, zone: yes, region: 'off'}\n").replica())
                .isEqualTo(new ReplicaConfig("on", "yes", "off"));
        assertThat(parse("vips: [{name: web, bind: ':80', zoneAffinity: {enabled: FALSE}}]\n").vips().get(0)
                .zoneAffinity().enabled()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"p2c", "round-robin", "least-conn", "random", "maglev"})
    void everyStrategyIsAcceptedByItsLabel(String label) throws ConfigException {
        assertThat(parse("vips: [{name: web, bind: ':80', strategy: " + label + "}]\n").vips().get(0).strategy())
                .isEqualTo(Strategy.fromLabel(label));
    }

    @Test
    void enumLabelsAreCaseSensitiveAsBefore() {
        assertThat(error("vips: [{name: web, bind: ':80', healthCheck: {type: TCP}}]\n"))
                .hasMessage("vips[0].healthCheck.type: 'TCP' (expected one of: tcp, http, none)");
    }

    @Test
    void aNumberOutOfRangeFromTheEnvironmentShowsWhereItCameFrom() {
        ConfigException e = error("vips: [{name: web, bind: ':80', connectRetries: '${R}'}]\n", Map.of("R", "11"));
        assertThat(e.value()).isEqualTo("11");
        assertThat(e).hasMessage("vips[0].connectRetries: '11' (from '${R}') (expected: an integer 0-10)");
    }

    @Test
    void numbersFromTheEnvironmentInAVipJsonAreNotSubstitutedButStillChecked() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("R", "1")).parseVip(
                "{\"bind\": \":80\", \"connectRetries\": \"${R}\"}", "vips.web", "web"))
                .hasMessage("vips.web.connectRetries: '${R}' (expected: an integer 0-10)");
    }

    private static HalbConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Map.of()).parse(yaml, "test.yaml");
    }

    private static ConfigException error(String yaml) {
        return error(yaml, Map.of());
    }

    private static ConfigException error(String yaml, Map<String, String> env) {
        try {
            HalbConfig config = new ConfigLoader(env).parse(yaml, "test.yaml");
            throw new AssertionError("expected a ConfigException, got " + config);
        } catch (ConfigException e) {
            return e;
        }
    }
}
