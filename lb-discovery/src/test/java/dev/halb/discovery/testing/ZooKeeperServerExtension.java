package dev.halb.discovery.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ZooKeeper ({@link TestingServer} on a free port) per test, plus whatever the test opens
 * with {@link #track}, closed after the test in reverse order (replicas before the server).
 * Shared by lb-discovery's and lb-core's tests through lb-discovery's test jar.
 */
public class ZooKeeperServerExtension implements BeforeEachCallback, AfterEachCallback {

    private TestingServer server;
    private final Closeables opened = new Closeables();

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = new TestingServer(true);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            opened.closeAll();
        } finally {
            server.close();
        }
    }

    public TestingServer server() {
        return server;
    }

    public String connectString() {
        return server.getConnectString();
    }

    /** A plain Curator client, no halb code: what a backend service would use. */
    public CuratorFramework plainClient() throws InterruptedException {
        return plainClient(connectString(), 10_000);
    }

    public CuratorFramework plainClient(String connect, int sessionTimeoutMs) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connect, sessionTimeoutMs, 3_000,
                new RetryOneTime(100));
        client.start();
        if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("test client did not connect to " + connect);
        }
        track(client::close);
        return client;
    }

    public <T extends AutoCloseable> T track(T closeable) {
        return opened.track(closeable);
    }

    /**
     * Ends {@code client}'s session on the server, as an expiry does: a second handle joins the
     * session and closes it, so its ephemeral nodes go at once and the client sees Expired.
     */
    public static void expireSession(CuratorFramework client, String connectString) throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(connectString, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, zk.getSessionId(), zk.getSessionPasswd());
        try {
            if (!connected.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not join session 0x" + Long.toHexString(zk.getSessionId()));
            }
        } finally {
            twin.close();
        }
    }
}
