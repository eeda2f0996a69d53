package dev.halb.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halb.core.testing.FreePorts;
import dev.halb.core.testing.HalbProcess;
import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import dev.halb.discovery.BackendOrigin;
import dev.halb.discovery.zookeeper.InstancePayload;
import dev.halb.discovery.zookeeper.ServiceInstanceCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code halb register}: a real process against a real ZooKeeper writes an
 * ephemeral node in Curator's format, and SIGTERM removes it before the process exits 0.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegisterCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void registersUntilSigtermThenDeregistersAndExitsZero() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             CuratorFramework reader = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100))) {
            reader.start();
            String path = "/halb/services/web/web-1";
            // A long session: the node must go because of the deregistration, not a session expiry.
            try (HalbProcess halb = HalbProcess.start(dir, "register", "--zk", zk.getConnectString(),
                    "--service", "web", "--address", "127.0.0.1", "--port", "8080", "--zone", "a",
                    "--region", "eu", "--rack", "r7", "--weight", "50", "--id", "web-1",
                    "--session-timeout-ms", "60000")) {
                // (Curator may register once more, delete then create, when its connection event
                // comes late, so the node can be briefly absent: every read waits for it.)
                Stat stat = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> reader.checkExists().forPath(path), s -> s != null);
                assertThat(stat.getEphemeralOwner()).as("ephemeral").isNotZero();

                byte[] body = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> reader.getData().forPath(path), b -> b != null);
                // Curator's own serializer reads it: it is Curator's format.
                ServiceInstance<InstancePayload> instance =
                        new JsonInstanceSerializer<>(InstancePayload.class).deserialize(body);
                assertThat(instance.getName()).isEqualTo("web");
                assertThat(instance.getId()).isEqualTo("web-1");
                assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
                assertThat(instance.getPort()).isEqualTo(8080);
                assertThat(instance.getPayload()).isEqualTo(new InstancePayload("a", "eu", "r7", 50));
                // And halb's reader makes the same backend of it.
                assertThat(ServiceInstanceCodec.decode("web-1", body)).isEqualTo(new ServiceInstanceCodec.Accepted(
                        new Backend("web-1", "127.0.0.1", 8080, new Locality("a", "eu", "r7"), 50, BackendOrigin.ZOOKEEPER,
                                true)));
                await().atMost(Duration.ofSeconds(10)).until(() -> halb.output().contains("web-1"));

                halb.terminate();
                assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(0);
                // Gone at once, long before the 60 s session could have expired.
                assertThat(reader.checkExists().forPath(path)).isNull();
                assertThat(halb.output()).contains("deregistered /halb/services/web/web-1")
                        .doesNotContain("Exception");
            }
        }
    }

    @Test
    void invalidOptionsExit2NamingTheOption() {
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--service", "web", "--address", "127.0.0.1",
                "--port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--port: 0 (expected: 1-65535)");
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--service", "web", "--address", "127.0.0.1",
                "--port", "80", "--weight", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--weight: 0 (expected: 1-10000)");
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--service", "a/b", "--address", "127.0.0.1",
                "--port", "80")).isEqualTo(2);
        assertThat(err.toString()).contains("--service: 'a/b'");
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--root", "halb", "--service", "web", "--address",
                "127.0.0.1", "--port", "80")).isEqualTo(2);
        assertThat(err.toString()).contains("--root: 'halb'");
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--service", "web", "--address", "127.0.0.1",
                "--port", "80", "--auth", "nopassword")).isEqualTo(2);
        assertThat(err.toString()).contains("--auth: (hidden) (expected: user:password").doesNotContain("nopassword'");
        assertThat(execute("register", "--zk", "embedded", "--service", "web", "--address", "127.0.0.1",
                "--port", "80")).isEqualTo(2);
        assertThat(execute("register", "--zk", "127.0.0.1:1", "--address", "127.0.0.1", "--port", "80"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--service").doesNotContain("\tat ");
    }

    @Test
    void unreachableZooKeeperExits1SayingWhere() {
        int port = FreePorts.next();
        long started = System.nanoTime();
        assertThat(execute("register", "--zk", "127.0.0.1:" + port, "--service", "web", "--address", "127.0.0.1",
                "--port", "80", "--id", "x", "--connection-timeout-ms", "500")).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(err.toString()).contains("cannot register web instance x (127.0.0.1:80): ZooKeeper at 127.0.0.1:"
                + port + " unreachable (no answer within 500 ms)").doesNotContain("\tat ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aWrongZkIsOneLineAndNoStackTraceFromARealProcess() throws Exception {
        int port = FreePorts.next();
        try (HalbProcess halb = HalbProcess.startWithShippedLogging(dir, List.of("-Xmx256m"), "register",
                "--zk", "127.0.0.1:" + port, "--service", "web", "--address", "127.0.0.1", "--port", "80", "--id", "x",
                "--connection-timeout-ms", "2000")) {
            assertThat(halb.waitFor(30)).as(halb.output()).isEqualTo(1);
            assertThat(halb.output().strip()).as(halb.output()).isEqualTo("halb: cannot register web instance x "
                    + "(127.0.0.1:80): ZooKeeper at 127.0.0.1:" + port + " unreachable (no answer within 2000 ms)");
        }
    }

    private HalbProcess register(String zk, String id, int port) {
        return HalbProcess.start(dir, "register", "--zk", zk, "--service", "web", "--address", "127.0.0.1",
                "--port", "" + port, "--id", id, "--session-timeout-ms", "6000");
    }

    @Test
    void anIdInUseIsRefusedNamingTheHolderAndStoppingTheRefusedOneLeavesTheHoldersNode() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             CuratorFramework reader = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100))) {
            reader.start();
            String path = "/halb/services/web/web-1";
            try (HalbProcess first = register(zk.getConnectString(), "web-1", 8080)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.output().contains("registered web"));
                Stat held = reader.checkExists().forPath(path);
                try (HalbProcess second = register(zk.getConnectString(), "web-1", 9090)) {
                    // It waits one session timeout in case the holder is dead, then refuses.
                    assertThat(second.waitFor(60)).as(second.output()).isEqualTo(1);
                    assertThat(second.output()).contains("cannot register web instance web-1 (127.0.0.1:9090): id "
                            + "web-1 is in use: " + path + " is held by another live process (address "
                            + "127.0.0.1:8080, registered 20").doesNotContain("\tat ");
                }
                Stat after = reader.checkExists().forPath(path);
                assertThat(after.getEphemeralOwner()).isEqualTo(held.getEphemeralOwner());
                assertThat(after.getMzxid()).isEqualTo(held.getMzxid());
                assertThat(first.output()).doesNotContain("taken").doesNotContain("deleted by");
                first.terminate();
                assertThat(first.waitFor(30)).as(first.output()).isEqualTo(0);
                assertThat(reader.checkExists().forPath(path)).isNull();
            }
        }
    }

    @Test
    void aNodeLeftByAKilledRegisterIsWaitedOutAndTaken() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             CuratorFramework reader = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100))) {
            reader.start();
            try (HalbProcess killed = register(zk.getConnectString(), "web-2", 8080)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> killed.output().contains("registered web"));
                killed.close(); // SIGKILL: the node stays until the session times out
            }
            assertThat(reader.checkExists().forPath("/halb/services/web/web-2")).isNotNull();
            try (HalbProcess restarted = register(zk.getConnectString(), "web-2", 8080)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> restarted.output().contains("registered web"));
                assertThat(restarted.isAlive()).isTrue();
                restarted.terminate();
                assertThat(restarted.waitFor(30)).as(restarted.output()).isEqualTo(0);
            }
        }
    }

    @Test
    void twoQuickSignalsStillDeregisterOrSayTheyDidNot() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             CuratorFramework reader = CuratorFrameworkFactory.newClient(zk.getConnectString(),
                     new RetryOneTime(100))) {
            reader.start();
            try (HalbProcess halb = register(zk.getConnectString(), "web-3", 8080)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> halb.output().contains("registered web"));
                halb.terminate();
                halb.terminate();
                int code = halb.waitFor(30);
                boolean gone = reader.checkExists().forPath("/halb/services/web/web-3") == null;
                assertThat(code == 0 ? gone : code == 1).as("exit " + code + ", node gone " + gone + "\n"
                        + halb.output()).isTrue();
                assertThat(code).as(halb.output()).isEqualTo(0);
            }
        }
    }
}
